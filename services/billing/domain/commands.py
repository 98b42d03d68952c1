from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID


@dataclass(frozen=True)
class IssueRequisition:
    event_id: UUID
    stay_id: UUID
    household_id: UUID
    office_id: str
    provider_id: UUID
    provider_name: str
    provider_orgnr: str
    unit_id: UUID
    agreement_kind: str
    check_in: date
    authorised_to: date
    price_per_night: Decimal


@dataclass(frozen=True)
class CloseRequisition:
    event_id: UUID
    stay_id: UUID
    check_out: date
