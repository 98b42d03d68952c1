"""The leader's queue (issue 15): one list for an office leader of the decisions waiting for the office's second
approval (intake's own) and the placements and extensions a leader should see (placement's, asked of placement
on behalf of the leader). Reads only: the queue itself names no one; the page asks who the households are
through the audited people lookup."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from services.intake.adapters.placement import PlacementQueue, PlacementQueueClient
from services.intake.adapters.queries import AwaitingRow
from services.intake.domain.decisions import WARNING_CHILDREN, WARNING_OVER_LIMIT, WARNING_YOUNG

HEADER_PLACEMENT_SECONDS = 0.6
"""The most a header's count waits for placement's part (the page waits at most a second for the count)."""


@dataclass(frozen=True)
class QueuedDecision:
    row: AwaitingRow
    own: bool  # the leader made it: another leader must approve

    @property
    def leader_justification_required(self) -> bool:
        w = set(self.row.warnings)
        return WARNING_OVER_LIMIT in w and bool({WARNING_CHILDREN, WARNING_YOUNG} & w)


@dataclass(frozen=True)
class LeaderQueue:
    decisions: list[QueuedDecision]
    placements: PlacementQueue

    @property
    def count(self) -> int:
        """What the leader can act on: the others' decisions, and the placements not seen."""
        return sum(not d.own for d in self.decisions) + len(self.placements.items)


async def leader_queue(uow_factory: Callable, placement: PlacementQueueClient, *, office_id: str, username: str,
                       token: str | None) -> LeaderQueue:
    """The whole queue. Intake's part on a short read of its own, so no connection is held while placement is
    asked."""
    async with uow_factory() as uow:
        rows = await uow.queries.awaiting_approval(office_id)
    return LeaderQueue([QueuedDecision(r, r.decided_by == username) for r in rows], await placement.queue(token))


async def queue_count(uow_factory: Callable, placement: PlacementQueueClient, *, office_id: str, username: str,
                      token: str | None) -> tuple[int, bool]:
    """The header's number, cheaply: a count of intake's part and placement's count; (count, complete) —
    placement's part is left out when it does not answer in time."""
    async with uow_factory() as uow:
        decisions = await uow.queries.awaiting_approval_count(office_id, not_by=username)
    placements = await placement.count(token, seconds=HEADER_PLACEMENT_SECONDS)
    return decisions + (placements or 0), placements is not None
