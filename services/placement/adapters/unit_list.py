"""The units list: every unit with its provider, its beds taken and free now, its provider's agreement and last
inspection — filtered, sorted and paged in SQL (kit/paging.py). "Taken now" is what the capacity board counts:
a unit with an open stay (not moved out) takes no one else, whatever its beds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from kit.paging import Page, Paging, Sorting, fetch_page, natural
from services.placement.adapters.rows import LATEST_INSPECTION


@dataclass(frozen=True)
class UnitRow:
    unit_id: UUID
    unit: str
    beds: int
    occupied: int  # households in the unit now (0 or 1)
    free_beds: int  # its beds when no one lives there, else 0
    provider_id: UUID
    provider: str
    orgnr: str
    municipality: str
    district: str | None
    agreement_kind: str
    agreement_in_force: bool  # an agreement (not «uten avtale») in force today
    target_groups: tuple[str, ...]
    price_per_night: Decimal | None
    inspected_on: date | None  # the provider's last inspection, if any
    inspection_result: str | None


@dataclass(frozen=True)
class UnitFilters:
    """What narrows the units list; None matches everything."""

    municipality: str | None = None
    provider: str | None = None  # a part of the provider's name (any case) or its organisation number
    target_group: str | None = None
    free_now: bool | None = None  # has free beds now
    agreement_in_force: bool | None = None


FREE_BEDS = "CASE WHEN o.occupied > 0 THEN 0 ELSE u.beds END"
IN_FORCE = ("(p.agreement_kind <> 'none' AND coalesce(p.agreement_valid_from <= $6, true) "
            "AND coalesce($6 <= p.agreement_valid_to, true))")
UNIT_SORTING = Sorting({"provider": ("p.name", *natural("u.name")), "unit": natural("u.name"), "free_beds": FREE_BEDS,
                        "price": "p.price_per_night"}, "provider", "u.id")
SELECT = (f"u.id AS unit_id, u.name AS unit, u.beds, o.occupied, {FREE_BEDS} AS free_beds, p.id AS provider_id, "
          "p.name AS provider, p.orgnr, p.municipality, p.district, p.agreement_kind, "
          f"{IN_FORCE} AS agreement_in_force, p.target_groups, p.price_per_night, ins.inspected_on, "
          "ins.result AS inspection_result")
FROM_WHERE = (  # constants only: the values are $1…$6
    f"FROM units u JOIN providers p ON p.id = u.provider_id {LATEST_INSPECTION} "  # noqa: S608 - constants
    "CROSS JOIN LATERAL (SELECT count(*) AS occupied FROM stays s "
    "  WHERE s.unit_id = u.id AND s.check_out IS NULL) o "
    "WHERE ($1::text IS NULL OR p.municipality = $1) "
    "AND ($2::text IS NULL OR strpos(lower(p.name), lower($2)) > 0 OR p.orgnr = replace($2, ' ', '')) "
    "AND ($3::text IS NULL OR $3 = ANY(p.target_groups)) "
    f"AND ($4::bool IS NULL OR ({FREE_BEDS} > 0) = $4) AND ($5::bool IS NULL OR {IN_FORCE} = $5)")


async def unit_page(conn, paging: Paging, filters: UnitFilters, today: date) -> Page[UnitRow]:
    found, total = await fetch_page(
        conn, SELECT, FROM_WHERE, [filters.municipality, filters.provider, filters.target_group, filters.free_now,
                                   filters.agreement_in_force, today], UNIT_SORTING.sql(paging.sort), paging)
    return Page([UnitRow(**{k: v for k, v in dict(r).items() if k != "_total"} | {
        "target_groups": tuple(r["target_groups"] or ())}) for r in found], total, paging.page, paging.page_size)
