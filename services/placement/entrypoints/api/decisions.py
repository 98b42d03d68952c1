"""Placement's copies of intake's decisions: those waiting for a place, and one decision."""

from __future__ import annotations

from fastapi import APIRouter

from services.placement.entrypoints.answers import AwaitingOut, DecisionOut
from services.placement.entrypoints.deps import Queries, Today, VisibleDecision, Worker

router = APIRouter(prefix="/api/decisions", tags=["decisions"])


@router.get("/awaiting-place", response_model=list[AwaitingOut])
async def awaiting_place(user: Worker, queries: Queries, today: Today):
    return [AwaitingOut(decision_id=d.decision_id, household_id=d.household_id, office_id=d.office_id,
                        period_from=d.period_from, period_to=d.period_to)
            for d in await queries.awaiting_place(user.office_id, today)]


@router.get("/{decision_id}", response_model=DecisionOut)
async def get_decision(d: VisibleDecision):
    """Placement's copy of a decision from intake (404 until the event has arrived)."""
    return DecisionOut(decision_id=d.decision_id, household_id=d.household_id, office_id=d.office_id,
                       municipality=d.municipality, outcome=d.outcome, period_from=d.period_from,
                       period_to=d.period_to, extends_decision_id=d.extends_decision_id,
                       conditions=list(d.conditions))
