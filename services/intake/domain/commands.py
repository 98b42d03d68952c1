from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID


@dataclass(frozen=True)
class ReceiveApplication:
    identity_number: str
    name: str
    office_id: str
    received_at: datetime
    channel: str = "in_person"
    urgent: bool = False
    children_birth_dates: tuple[date, ...] = ()
    adults: int = 1
    needs: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class MakeDecision:
    application_id: UUID
    outcome: str
    period_from: date | None
    period_to: date | None
    decided_at: datetime
    conditions: tuple[str, ...] = ()
