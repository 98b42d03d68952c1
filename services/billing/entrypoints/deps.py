"""Billing's typed dependencies: who may do what, the bus and the queries, and "the requisition / invoice this
user may see" (404 when it does not exist, 403 when it is another office's)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Path, Request
from pydantic import AfterValidator

from kit.auth import OFFICE_SCOPED, Role, User, request_token, requires
from kit.messagebus import MessageBus
from kit.people import People
from services.billing.adapters.household_billing import RequisitionHistory
from services.billing.adapters.post import RequisitionPapers
from services.billing.adapters.queries import BillingQueries, InvoiceView, RequisitionView, StayView
from services.billing.domain.errors import Forbidden, NotFound
from services.billing.domain.limits import MAX_LINES
from services.billing.entrypoints.schemas import bounded_text

READERS = (Role.CASE_WORKER, Role.OFFICE_LEADER, Role.FINANCE, Role.ADMIN)
FINANCE = (Role.FINANCE, Role.ADMIN)

Reader = Annotated[User, Depends(requires(*READERS))]
"""Who reads requisitions: case workers and leaders (their own office's), finance and admin (all)."""
Finance = Annotated[User, Depends(requires(*FINANCE))]
SpendReader = Annotated[User, Depends(requires(*FINANCE, Role.OFFICE_LEADER))]


def _bus(request: Request) -> MessageBus:
    return request.app.state.bus


def _queries(request: Request) -> BillingQueries:
    return request.app.state.queries


def _papers(request: Request) -> RequisitionPapers:
    return request.app.state.papers


Bus = Annotated[MessageBus, Depends(_bus)]
Queries = Annotated[BillingQueries, Depends(_queries)]
Papers = Annotated[RequisitionPapers, Depends(_papers)]
"""Makes a requisition's PDF (with the guest as intake names them to the user)."""


async def people_of(request: Request, household_ids: Iterable[UUID], purpose: str) -> People:
    """Who these households are, asked of intake for this page on behalf of the logged-in user (audited there
    with `purpose`); nothing is kept."""
    return await request.app.state.people.of(household_ids, token=request_token(request), purpose=purpose)
RequisitionNumber = Annotated[str, Path(max_length=30, description="The requisition's number, e.g. R2026-000123-4."),
                              bounded_text(30), AfterValidator(str.strip)]
LinePosition = Annotated[int, Path(ge=1, le=MAX_LINES, description="The line's position on the invoice, from 1.")]


def office_of(user: User) -> str | None:
    """The office whose requisitions the user sees; None for every office's."""
    return user.office_id if user.role in OFFICE_SCOPED else None


@dataclass(frozen=True)
class RequisitionWithStay:
    requisition: RequisitionView
    stay: StayView | None


async def _visible_requisition(number: RequisitionNumber, user: Reader, queries: Queries) -> RequisitionWithStay:
    found = await queries.requisition(number)
    if found is None:
        raise NotFound("Rekvisisjonen finnes ikke.", field="number")
    requisition, stay = found
    if not user.may_see_office(requisition.office_id):
        raise Forbidden("Du har bare tilgang til ditt eget Nav-kontors rekvisisjoner.")
    return RequisitionWithStay(requisition, stay)


async def _finance_invoice(invoice_id: UUID, user: Finance, queries: Queries) -> InvoiceView:
    invoice = await queries.invoice(invoice_id)
    if invoice is None:
        raise NotFound("Fakturaen finnes ikke.", field="invoice_id")
    return invoice


@dataclass(frozen=True)
class HouseholdRequisitions:
    household_id: UUID
    requisitions: list[RequisitionHistory]


async def _visible_household_requisitions(household_id: UUID, user: Reader,
                                          queries: Queries) -> HouseholdRequisitions:
    """A household billing has requisitions for (404 otherwise), for a reader who may see one of their offices
    (403 otherwise): the requisitions of the user's office (finance and admin: all)."""
    offices = await queries.household_offices(household_id)
    if not offices:
        raise NotFound("Fant ingen rekvisisjoner for husstanden.", field="household_id")
    if not any(user.may_see_office(o) for o in offices):
        raise Forbidden("Du har bare tilgang til ditt eget Nav-kontors rekvisisjoner.")
    return HouseholdRequisitions(household_id, await queries.household_requisitions(household_id, office_of(user)))


VisibleRequisition = Annotated[RequisitionWithStay, Depends(_visible_requisition)]
FinanceInvoice = Annotated[InvoiceView, Depends(_finance_invoice)]
"""An invoice, for finance: invoices are not scoped by office (finance works for the whole municipality)."""
VisibleHouseholdRequisitions = Annotated[HouseholdRequisitions, Depends(_visible_household_requisitions)]
"""The household in the path with the requisitions this user may see."""
