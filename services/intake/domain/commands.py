from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from services.intake.domain.model import DecisionTerms


@dataclass(frozen=True)
class ReceiveApplication:
    identity_number: str = field(repr=False)
    name: str = field(repr=False)
    office_id: str
    received_at: datetime
    registered_by: str
    channel: str = "in_person"
    urgent: bool = False
    children_birth_dates: tuple[date, ...] = ()
    adults: int = 1
    needs: dict[str, object] = field(default_factory=dict)
    phone: str | None = field(default=None, repr=False)
    address: str | None = field(default=None, repr=False)
    no_fixed_address: bool = False
    preferred_language: str | None = None
    provider_org_number: str | None = None
    wishes: str | None = field(default=None, repr=False)
    notes: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class MakeDecision:
    application_id: UUID
    terms: DecisionTerms
    decided_by: str
    decided_at: datetime


@dataclass(frozen=True)
class ExtendDecision:
    decision_id: UUID
    period_to: date | None
    decided_by: str
    decided_at: datetime
    conditions: tuple[str, ...] = ()
    consequence: str | None = None
    justification: str | None = None
