"""The leader's queue, placement's part: the office's placements and extensions whose justification (or a family
past three months) a leader should see, until a leader marks each as seen. Intake's queue page asks this on
behalf of the leader (the leader's own token) and shows it beside the decisions waiting for approval."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from kit.auth import Role, User, requires
from services.placement.adapters.queries import QueueRow
from services.placement.domain import commands
from services.placement.entrypoints.deps import Bus, Queries

router = APIRouter(prefix="/api/leader-queue", tags=["leader's queue"])
Leader = Annotated[User, Depends(requires(Role.OFFICE_LEADER))]


class QueueItemOut(BaseModel):
    item_id: UUID = Field(description="What is marked as seen: the stay (a placement) or the extension.")
    kind: Literal["placement", "extension"]
    stay_id: UUID
    household_id: UUID
    at: date = Field(description="The day of the placement (check-in) or of the extension.")
    provider: str
    unit: str
    authorised_to: date
    reasons: list[str] = Field(description="Why a leader should see it, in Norwegian.")
    justification: str | None = Field(description="The case worker's written justification, if any.")
    by: str | None = Field(description="The case worker who placed the household (name, else username).")

    @classmethod
    def of(cls, r: QueueRow) -> QueueItemOut:
        s = r.item.stay
        return cls(item_id=r.item.item_id, kind=r.item.kind, stay_id=s.id, household_id=s.household_id,
                   at=r.item.at, provider=r.provider, unit=r.unit, authorised_to=s.authorised_to,
                   reasons=list(r.item.reasons), justification=s.justification, by=s.placed_by_name or s.placed_by)


class QueueOut(BaseModel):
    items: list[QueueItemOut]
    count: int


class SeenOut(BaseModel):
    item_id: UUID
    seen_at: datetime


@router.get("", response_model=QueueOut)
async def leader_queue(user: Leader, queries: Queries):
    """The leader's office's items not yet seen, oldest first."""
    rows = await queries.leader_queue(user.office_id or "")
    return QueueOut(items=[QueueItemOut.of(r) for r in rows], count=len(rows))


@router.post("/{item_id}/seen", response_model=SeenOut)
async def mark_seen(item_id: UUID, user: Leader, bus: Bus):
    """The leader has seen the placement or extension: it leaves the queue (who and when are kept)."""
    seen_at = await bus.handle(commands.MarkSeen(item_id, user.office_id or "", user.username, user.name or None))
    return SeenOut(item_id=item_id, seen_at=seen_at)
