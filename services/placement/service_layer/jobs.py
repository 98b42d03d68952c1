"""Placement's background work: planned move-outs carried out on their day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from kit.logging import get_logger
from kit.messagebus import MessageBus
from services.placement.adapters.queries import PlacementQueries
from services.placement.domain.commands import CarryOutPlannedMoveOut

log = get_logger(__name__)


async def carry_out_planned_move_outs(bus: MessageBus, queries: PlacementQueries, today: Callable[[], date]) -> int:
    """Every planned move-out whose day has come, each in its own transaction (one that fails is logged and
    tried again next round; the others go ahead). Returns how many were carried out."""
    done = 0
    for stay_id in await queries.planned_move_outs_due(today()):
        try:
            done += bool(await bus.handle(CarryOutPlannedMoveOut(stay_id)))
        except Exception as exc:
            log.warning("planned_move_out_failed", stay_id=str(stay_id), error=repr(exc)[:200])
    return done
