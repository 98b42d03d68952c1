from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID


@dataclass(frozen=True)
class RecordStayStarted:
    event_id: UUID
    stay_id: UUID
    household_id: UUID
    office_id: str
    municipality: str
    district: str | None
    accommodation: str
    agreement_kind: str
    provider_id: UUID
    check_in: date
    applicant_birth_date: date
    children_birth_dates: tuple[date, ...]


@dataclass(frozen=True)
class RecordStayEnded:
    event_id: UUID
    stay_id: UUID
    household_id: UUID
    check_out: date
    destination: str
