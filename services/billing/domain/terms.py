"""What an invoice is matched against: the requisition with its stay, and a framework agreement's fixed places.
Pure Python; the repository builds these from billing's tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID


@dataclass(frozen=True)
class RequisitionTerms:
    """What the invoice is matched against: the requisition and the stay it was issued for."""

    number: str
    requisition_id: UUID
    provider_id: UUID
    provider_orgnr: str
    agreement_kind: str
    office_id: str
    period_from: date  # first night authorised
    period_to: date  # last night authorised, included (cut to the night before check-out at move-out)
    price_per_night: Decimal
    closed_from: date | None = None  # first night no longer covered, once closed
    check_in: date | None = None  # the stay's first night
    check_out: date | None = None  # the morning the household left; its last night was the day before


@dataclass(frozen=True)
class FixedPlaces:
    """A framework agreement's fixed places: paid whether used or not, at the agreement's price."""

    provider_id: UUID
    provider_orgnr: str
    agreement_kind: str
    places: int
    price_per_night: Decimal
