"""POST /api/rebuild: rebuild stats' projections from the event log (operations, admin)."""

from __future__ import annotations

from fastapi import APIRouter

from services.stats.entrypoints.deps import Operator, Rebuild
from services.stats.entrypoints.schemas import RebuildResult, problems

router = APIRouter(prefix="/api", tags=["operations"])


@router.post("/rebuild", response_model=RebuildResult, responses=problems(409, 503))
async def rebuild_projections(user: Operator, run: Rebuild):
    """Build the projections anew from every topic's beginning, aside, and swap them in — only if the log held
    every event stats had applied (else 409, and the numbers stay). 409 too while another rebuild runs."""
    outcome = await run()
    return RebuildResult(events_replayed=outcome.tally.events_read)
