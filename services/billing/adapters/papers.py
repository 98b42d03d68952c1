"""What a requisition's PDF is made of, read from billing's own tables (the requisition, its stay, and billing's
copies of the unit, the provider and the office), and the mailings' rows. The guest's name is not here: it is
asked of intake when the PDF is made (kit/people.py). Shared by the queries (pages, the PDF download) and
the repository (the background job that sends)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from uuid import UUID

import asyncpg

from services.billing.domain.papers import Mailing

REQUISITION_COLUMNS = ("id, number, stay_id, household_id, office_id, provider_id, provider_name, provider_orgnr, "
                       "unit_id, agreement_kind, period_from, period_to, price_per_night, status, closed_from, "
                       "persons, conditions, contact_username, contact_name")
MAILING_COLUMNS = ", ".join(f.name for f in fields(Mailing))
OFFICE_NAME = "(SELECT o.name FROM offices o WHERE o.id = requisitions.office_id) AS office_name"


@dataclass(frozen=True)
class RequisitionView:
    id: UUID
    number: str
    stay_id: UUID
    household_id: UUID
    office_id: str
    provider_id: UUID
    provider_name: str
    provider_orgnr: str
    unit_id: UUID
    agreement_kind: str
    period_from: date
    period_to: date
    price_per_night: Decimal
    status: str
    closed_from: date | None
    persons: int | None = None
    conditions: tuple[str, ...] = ()
    contact_username: str | None = None
    contact_name: str | None = None
    office_name: str | None = None  # billing's copy of the office (intake's events); None before it came

    @classmethod
    def of(cls, row) -> RequisitionView:
        values = dict(row)
        return cls(**{**values, "conditions": tuple(values.get("conditions") or ())})

    @property
    def nights(self) -> int:
        return (self.period_to - self.period_from).days + 1

    @property
    def max_amount(self) -> Decimal:
        return self.price_per_night * self.nights


@dataclass(frozen=True)
class StayView:
    stay_id: UUID
    household_id: UUID
    check_in: date
    check_out: date | None


@dataclass(frozen=True)
class UnitView:
    name: str
    address: str


@dataclass(frozen=True)
class OfficeView:
    name: str
    municipality: str
    district: str | None
    address: str | None
    phone: str | None
    email: str | None


@dataclass(frozen=True)
class PaperContext:
    """Everything billing knows for a requisition's PDF; None where billing has not had the event yet."""

    requisition: RequisitionView
    stay: StayView | None
    unit: UnitView | None
    provider_email: str | None
    office: OfficeView | None


def mailing_of(row) -> Mailing:
    return Mailing(**dict(row))


async def paper_context(conn: asyncpg.Connection, *, requisition_id: UUID | None = None,
                        number: str | None = None) -> PaperContext | None:
    row = await conn.fetchrow(
        f"SELECT {REQUISITION_COLUMNS}, {OFFICE_NAME} FROM requisitions "  # noqa: S608 (constant columns)
        "WHERE ($1::uuid IS NULL OR id = $1) AND ($2::text IS NULL OR number = $2)", requisition_id, number)
    if row is None:
        return None
    stay = await conn.fetchrow("SELECT stay_id, household_id, check_in, check_out FROM stays WHERE stay_id = $1",
                               row["stay_id"])
    unit = await conn.fetchrow("SELECT name, address FROM units WHERE unit_id = $1", row["unit_id"])
    email = await conn.fetchval("SELECT email FROM providers WHERE provider_id = $1", row["provider_id"])
    office = await conn.fetchrow("SELECT name, municipality, district, address, phone, email FROM offices "
                                 "WHERE id = $1", row["office_id"])
    return PaperContext(RequisitionView.of(row), StayView(**dict(stay)) if stay else None,
                        UnitView(**dict(unit)) if unit else None, email, OfficeView(**dict(office)) if office else None)
