"""Households: find one by identity number, read its history, transfer it to another office. An identity
number never travels in a URL: these are POSTs."""

from fastapi import APIRouter

from services.intake.domain.commands import LookupHousehold, TransferHousehold, ViewHousehold
from services.intake.domain.errors import NotFound
from services.intake.entrypoints.deps import Bus, Transferrer, VisibleHousehold, Worker, actor_of
from services.intake.entrypoints.mapping import history_out
from services.intake.entrypoints.schemas import HistoryOut, LookupIn, TransferIn, TransferOut
from services.intake.entrypoints.text import PurposeQuery

router = APIRouter(prefix="/api/households", tags=["households"])


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
