"""The leader's queue page: decisions waiting for the office's second approval (approved here through the case
page's own approve handler, which brings the leader back) and placement's placements and extensions a leader
should see, each marked as seen here (placement records who and when)."""

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from kit.auth import request_token
from services.intake.adapters.placement import NOT_IN_QUEUE_NB
from services.intake.domain.commands import ViewPeople
from services.intake.domain.decisions import LEADER_JUSTIFICATION_NB
from services.intake.entrypoints.deps import Bus, Leader, Placement, actor_of
from services.intake.entrypoints.pages.common import render
from services.intake.service_layer import queue

router = APIRouter(include_in_schema=False)
QUEUE_PURPOSE = "Lederens kø"


async def queue_page(request: Request, user, bus, placement, *, error: str | None = None, status_code: int = 200):
    found = await queue.leader_queue(request.app.state.uow_factory, placement, office_id=user.office_id,
                                     username=user.username, token=request_token(request))
    households = [d.row.household_id for d in found.decisions] + [i.household_id for i in found.placements.items]
    people = ({p.household_id: p for p in await bus.handle(ViewPeople(actor_of(user), tuple(households),
                                                                      QUEUE_PURPOSE))} if households else {})
    return render(request, "queue.html", status_code=status_code, user=user, found=found, people=people,
                  error=error, leader_queue_count=found.count, leader_justification_nb=LEADER_JUSTIFICATION_NB)


@router.get("/queue", response_class=HTMLResponse)
async def show_queue(request: Request, user: Leader, bus: Bus, placement: Placement):
    return await queue_page(request, user, bus, placement)


@router.post("/queue/placements/{item_id}/seen", response_class=HTMLResponse)
async def mark_seen(item_id: UUID, request: Request, user: Leader, bus: Bus, placement: Placement):
    problem = await placement.mark_seen(request_token(request), item_id)
    if problem is None:
        return RedirectResponse("/intake/queue", status_code=303)
    return await queue_page(request, user, bus, placement, error=problem,
                            status_code=404 if problem == NOT_IN_QUEUE_NB else 503)
