"""Table rows to domain objects and back, and the SQL both the repository and the queries need (the provider
with its latest inspection, matching's candidates)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import asyncpg

from services.placement.domain.matching import Candidate
from services.placement.domain.model import (
    Agreement,
    GrantedDecision,
    HouseholdFacts,
    Inspection,
    Limits,
    Provider,
    Stay,
    Unit,
)

LATEST_INSPECTION = """
    LEFT JOIN LATERAL (SELECT i.inspected_on, i.result, i.next_due, i.checklist FROM inspections i
                       WHERE i.provider_id = p.id ORDER BY i.inspected_on DESC, i.recorded_at DESC LIMIT 1) ins
    ON true"""
PROVIDER_SELECT = ("SELECT p.*, ins.inspected_on, ins.result, ins.next_due, ins.checklist "  # noqa: S608 - constants
                   f"FROM providers p {LATEST_INSPECTION}")


def address_key(address: str) -> str:
    return " ".join(address.lower().split())


async def candidates(conn: asyncpg.Connection, unit_id: UUID | None = None) -> list[Candidate]:
    """Every unit (or one) with its open stays and who lives at its address now."""
    providers = {p.id: p for p in map(provider, await conn.fetch(PROVIDER_SELECT))}
    units = await conn.fetch(
        "SELECT u.*, (SELECT count(*) FROM stays s WHERE s.unit_id = u.id AND s.check_out IS NULL) AS households "
        "FROM units u WHERE ($1::uuid IS NULL OR u.id = $1) ORDER BY u.name", unit_id)
    groups = {r["key"]: (r["substance"], r["others"]) for r in await conn.fetch(
        "SELECT lower(btrim(regexp_replace(u.address, '\\s+', ' ', 'g'))) AS key, "
        "bool_or(s.substance_group) AS substance, bool_or(NOT s.substance_group) AS others "
        "FROM stays s JOIN units u ON u.id = s.unit_id "
        "WHERE s.check_out IS NULL GROUP BY 1")}
    out = []
    for r in units:
        substance, others = groups.get(address_key(r["address"]), (False, False))
        out.append(Candidate(providers[r["provider_id"]], unit(r), r["households"], bool(substance), bool(others)))
    return out


def facts_json(f: HouseholdFacts) -> dict:
    return {"applicant_birth_date": f.applicant_birth_date.isoformat(),
            "children_birth_dates": [c.isoformat() for c in f.children_birth_dates],
            "adults": f.adults, "needs": f.needs}


def facts_from_json(h: dict) -> HouseholdFacts:
    return HouseholdFacts(date.fromisoformat(h["applicant_birth_date"]),
                          tuple(date.fromisoformat(c) for c in h.get("children_birth_dates", [])),
                          int(h.get("adults", 1)), dict(h.get("needs", {})))


def provider(row) -> Provider:
    inspection = None
    if row["inspected_on"] is not None:
        inspection = Inspection(row["inspected_on"], row["result"], row["next_due"], dict(row["checklist"] or {}))
    return Provider(
        row["id"], row["name"], row["orgnr"], row["kind"], row["municipality"], row["district"],
        row["accommodation"],
        Agreement(row["agreement_kind"], row["price_per_night"], row["fixed_places"], row["agreement_valid_from"],
                  row["agreement_valid_to"], tuple(row["target_groups"] or ())),
        row["address"], Limits(row["limit_sex"], row["limit_min_age"], row["limit_max_age"], row["substance_free"]),
        inspection, row["slug"], row["email"])


def unit(row) -> Unit:
    return Unit(row["id"], row["provider_id"], row["name"], row["beds"], row["address"],
                dict(row["facilities"] or {}), row["slug"])


def stay(row) -> Stay:
    return Stay(row["id"], row["household_id"], row["decision_id"], row["unit_id"], row["provider_id"],
                row["check_in"], row["authorised_to"], row["check_out"], row["destination"], row["justification"],
                row["office_id"], row["municipality"], row["substance_group"], row["moved_from_stay_id"],
                tuple(row["warnings"] or ()), tuple(row["justified_rules"] or ()), row["planned_check_out"],
                row["planned_destination"], row["placed_by"], row["placed_by_name"])


def decision(row) -> GrantedDecision:
    return GrantedDecision(row["decision_id"], row["household_id"], row["office_id"], row["municipality"],
                           row["district"], row["outcome"], row["period_from"], row["period_to"],
                           facts_from_json(row["household"]), row["extends_decision_id"],
                           tuple(row["conditions"] or ()))
