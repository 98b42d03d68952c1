"""Households: the office's list, find one by identity number, read its history, transfer it to another
office. An identity number never travels in a URL: the lookup and the transfer are POSTs."""

from dataclasses import asdict

from fastapi import APIRouter

from kit.paging import PageOut
from services.intake.domain.commands import LookupHousehold, TransferHousehold, ViewHousehold
from services.intake.domain.errors import NotFound
from services.intake.entrypoints.deps import Bus, Queries, Transferrer, VisibleHousehold, Worker, actor_of
from services.intake.entrypoints.lists import HouseholdFiltersApi, HouseholdPaging
from services.intake.entrypoints.mapping import history_out
from services.intake.entrypoints.schemas import HistoryOut, HouseholdRowOut, LookupIn, TransferIn, TransferOut
from services.intake.entrypoints.text import PurposeQuery

router = APIRouter(prefix="/api/households", tags=["households"])


@router.get("", response_model=PageOut[HouseholdRowOut])
async def list_households(user: Worker, queries: Queries, paging: HouseholdPaging, filters: HouseholdFiltersApi):
    """The caller's office's households, without personal data: one page (`page`, `page_size` 1–200, default
    50), newest first unless `sort` says otherwise (`reference`, `created`, `decision`: the latest decision's
    time), narrowed by `decision` (the latest application's latest decision: `in_effect`, `awaiting_approval`,
    or `none`: no decision or one sent back), `has_children` and the start of the office's `reference`;
    `total` counts them all."""
    page = await queries.household_list(user.office_id or "", paging, filters)
    return PageOut.of(page, lambda r: HouseholdRowOut(**asdict(r)))


@router.post("/lookup", response_model=HistoryOut)
async def post_lookup(body: LookupIn, user: Worker, bus: Bus):
    """Find the office's household by identity number (POST: the number never goes in a URL)."""
    history = await bus.handle(LookupHousehold(actor_of(user), body.identity_number, body.purpose))
    if history is None:
        raise NotFound("Ingen husstand med dette nummeret ved ditt kontor.", "identity_number")
    return history_out(history)


@router.post("/transfer", response_model=TransferOut)
async def post_transfer(body: TransferIn, user: Transferrer, bus: Bus):
    """Move a household to the caller's office (a leader) or to `to_office_id` (an admin), with a written
    reason. Refused while the old office has an open application or a decision whose period has not ended.
    Both offices' audit logs record it; the old office keeps seeing what it did."""
    moved = await bus.handle(TransferHousehold(actor_of(user), body.identity_number, body.to_office_id,
                                               body.reason))
    return TransferOut(household_id=moved.household_id, from_office_id=moved.from_office_id,
                       office_id=moved.to_office_id, transferred_at=moved.transferred_at)


@router.get("/{household_id}", response_model=HistoryOut)
async def get_household(household: VisibleHousehold, purpose: PurposeQuery, user: Worker, bus: Bus):
    """A household's history at the caller's office: applications and decisions (audited with the purpose)."""
    return history_out(await bus.handle(ViewHousehold(actor_of(user), household.id, purpose)))
