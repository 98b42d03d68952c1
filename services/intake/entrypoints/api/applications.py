"""Applications (søknader): register, list the office's cases, open one case, decide it."""

from dataclasses import asdict

from fastapi import APIRouter

from kit.paging import PageOut
from services.intake.domain.commands import ViewCase
from services.intake.entrypoints.deps import Bus, Queries, VisibleApplication, Worker, actor_of
from services.intake.entrypoints.lists import CaseFiltersApi, CasePaging
from services.intake.entrypoints.mapping import case_out, decision_command, decision_out, receive_command
from services.intake.entrypoints.schemas import (
    ApplicationIn,
    ApplicationOut,
    CaseOut,
    CaseRowOut,
    DecisionIn,
    DecisionOut,
)
from services.intake.entrypoints.text import PurposeQuery

router = APIRouter(prefix="/api/applications", tags=["applications"])


@router.post("", status_code=201, response_model=ApplicationOut)
async def post_application(body: ApplicationIn, user: Worker, bus: Bus):
    """Register an application (søknad); creates the household or finds it by identity number. A household of
    another office is not changed: the answer says to ask for a transfer and tells nothing about it."""
    received = await bus.handle(receive_command(body, actor_of(user)))
    return ApplicationOut(application_id=received.application_id, household_id=received.household_id,
                          new_household=received.new_household)


@router.get("", response_model=PageOut[CaseRowOut])
async def list_applications(user: Worker, queries: Queries, paging: CasePaging, filters: CaseFiltersApi):
    """The caller's office's cases, without personal data: one page (`page`, `page_size` 1–200, default 50),
    urgent and newest first unless `sort` says otherwise, narrowed by `open_only`, `status`, `urgent` and the
    start of the office's `reference`; `total` counts them all."""
    page = await queries.case_list(user.office_id, paging, filters)
    return PageOut.of(page, lambda r: CaseRowOut(id=r.application_id, **asdict(r)))


@router.get("/{application_id}", response_model=CaseOut)
async def get_application(case: VisibleApplication, purpose: PurposeQuery, user: Worker, bus: Bus):
    """One case with the household's personal data (audited with the purpose given)."""
    return case_out(await bus.handle(ViewCase(actor_of(user), case.id, purpose)))


@router.post("/{application_id}/decision", status_code=201, response_model=DecisionOut, tags=["decisions"])
async def post_decision(case: VisibleApplication, body: DecisionIn, user: Worker, bus: Bus):
    """Decide: granted with a period, or refused with a reason. Warnings come back in `warnings`; at an
    office that requires it, or when a family with children or a young applicant would pass three months in
    total, the decision waits for a leader's approval (`status` awaiting_approval)."""
    return decision_out(await bus.handle(decision_command(body, actor_of(user), case.id)))
