"""The leader's queue: the office's decisions waiting for the second approval and placement's items for a leader
(asked of placement with the leader's own token), and its count for the page headers of every service."""

from fastapi import APIRouter, Request

from kit.auth import request_token
from services.intake.entrypoints.deps import Leader, Placement
from services.intake.entrypoints.schemas import QueueCountOut, QueueDecisionOut, QueueOut, QueuePlacementOut
from services.intake.service_layer import queue

router = APIRouter(prefix="/api/queue", tags=["leader's queue"])


@router.get("", response_model=QueueOut)
async def get_queue(request: Request, user: Leader, placement: Placement):
    """Everything in the leader's queue, without names (ask `/api/people` for who the households are)."""
    found = await queue.leader_queue(request.app.state.uow_factory, placement, office_id=user.office_id,
                                     username=user.username, token=request_token(request))
    return QueueOut(
        decisions=[QueueDecisionOut(
            decision_id=d.row.decision_id, application_id=d.row.application_id, household_id=d.row.household_id,
            outcome=d.row.outcome, period_from=d.row.period_from, period_to=d.row.period_to,
            decided_at=d.row.decided_at, decided_by=d.row.decided_by, extension=d.row.extends_decision_id is not None,
            warnings=d.row.warnings, leader_justification_required=d.leader_justification_required, own=d.own,
            reference=d.row.reference) for d in found.decisions],
        placements=[QueuePlacementOut(**vars(i)) for i in found.placements.items],
        placement_note=found.placements.note, count=found.count)


@router.get("/count", response_model=QueueCountOut)
async def get_count(request: Request, user: Leader, placement: Placement):
    """The number in the header: decisions another leader made that wait for approval, and placement's items
    not seen. Cheap: two counts; placement's part is left out (`complete: false`) when it does not answer."""
    count, complete = await queue.queue_count(request.app.state.uow_factory, placement, office_id=user.office_id,
                                              username=user.username, token=request_token(request))
    return QueueCountOut(count=count, complete=complete)
