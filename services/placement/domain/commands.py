from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID


@dataclass(frozen=True)
class RecordDecision:
    event_id: UUID
    decision_id: UUID
    household_id: UUID
    office_id: str
    municipality: str
    district: str | None
    outcome: str
    period_from: date | None
    period_to: date | None
    household: dict


@dataclass(frozen=True)
class PlaceHousehold:
    decision_id: UUID
    unit_id: UUID
    check_in: date
    justification: str | None = None


@dataclass(frozen=True)
class MoveOut:
    stay_id: UUID
    check_out: date
    destination: str
