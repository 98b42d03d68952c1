"""Placement's aggregates in its tables (asyncpg, on the unit of work's connection): load, save and lock them,
and no more. What the pages and APIs read lives in `queries`.

Every aggregate a repository loads or adds is remembered (`seen`, shared by the unit of work's repositories
in the order they first met them), so the unit of work can collect the events they record. A unique index
that refuses a write becomes the domain's `Conflict`."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID, uuid4

import asyncpg

from services.placement.adapters import rows
from services.placement.domain.errors import Conflict
from services.placement.domain.events import Aggregate
from services.placement.domain.matching import Candidate
from services.placement.domain.model import GrantedDecision, Inspection, Provider, Stay, StayAction, Unit

# The unique indexes whose refusal means "someone got there first", with what the domain says about it.
CONFLICTS = {
    "providers_orgnr": ("En tilbyder med dette organisasjonsnummeret finnes allerede.", "orgnr"),
    "stays_one_open_per_household": ("Husstanden ble nettopp plassert et annet sted.", "decision_id"),
}


class _Repository:
    def __init__(self, conn: asyncpg.Connection, seen: list[Aggregate]):
        self.conn = conn
        self.seen = seen

    def _seen(self, aggregate):
        if aggregate is not None and not any(a is aggregate for a in self.seen):
            self.seen.append(aggregate)
        return aggregate

    async def _write(self, sql: str, *args, many: list[tuple] | None = None) -> None:
        try:
            await (self.conn.executemany(sql, many) if many is not None else self.conn.execute(sql, *args))
        except asyncpg.UniqueViolationError as exc:
            message, field = CONFLICTS.get(exc.constraint_name or "", ("Finnes allerede.", None))
            raise Conflict(message, field) from exc


class ProviderRepository(_Repository):
    """Providers, their units and inspections."""

    async def add(self, p: Provider) -> None:
        a, lim = p.agreement, p.limits
        await self._write(
            "INSERT INTO providers (id, name, orgnr, kind, municipality, district, accommodation, agreement_kind, "
            "price_per_night, fixed_places, slug, address, agreement_valid_from, agreement_valid_to, target_groups, "
            "limit_sex, limit_min_age, limit_max_age, substance_free, email) "
            "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20)",
            p.id, p.name, p.orgnr, p.kind, p.municipality, p.district, p.accommodation, a.kind, a.price_per_night,
            a.fixed_places, p.slug, p.address, a.valid_from, a.valid_to, list(a.target_groups), lim.sex,
            lim.min_age, lim.max_age, lim.substance_free, p.email)
        self._seen(p)

    async def save(self, p: Provider) -> None:
        a, lim = p.agreement, p.limits
        await self._write(
            "UPDATE providers SET name=$2, orgnr=$3, kind=$4, municipality=$5, district=$6, accommodation=$7, "
            "agreement_kind=$8, price_per_night=$9, fixed_places=$10, address=$11, agreement_valid_from=$12, "
            "agreement_valid_to=$13, target_groups=$14, limit_sex=$15, limit_min_age=$16, limit_max_age=$17, "
            "substance_free=$18, email=$19, changed_at=now() WHERE id=$1",
            p.id, p.name, p.orgnr, p.kind, p.municipality, p.district, p.accommodation, a.kind, a.price_per_night,
            a.fixed_places, p.address, a.valid_from, a.valid_to, list(a.target_groups), lim.sex, lim.min_age,
            lim.max_age, lim.substance_free, p.email)

    async def get(self, provider_id: UUID, *, for_update: bool = False) -> Provider | None:
        if for_update:
            await self.conn.execute("SELECT 1 FROM providers WHERE id = $1 FOR UPDATE", provider_id)
        row = await self.conn.fetchrow(f"{rows.PROVIDER_SELECT} WHERE p.id = $1", provider_id)
        return self._seen(rows.provider(row) if row else None)

    async def all(self) -> list[Provider]:
        return [self._seen(rows.provider(r))
                for r in await self.conn.fetch(f"{rows.PROVIDER_SELECT} ORDER BY p.municipality, p.name")]

    async def any_registered(self) -> bool:
        return await self.conn.fetchval("SELECT EXISTS (SELECT 1 FROM providers)")

    async def add_inspection(self, provider_id: UUID, i: Inspection) -> None:
        await self.conn.execute(
            "INSERT INTO inspections (id, provider_id, inspected_on, result, next_due, checklist) "
            "VALUES ($1,$2,$3,$4,$5,$6)", uuid4(), provider_id, i.inspected_on, i.result, i.next_due, i.checklist)

    async def add_unit(self, u: Unit) -> None:
        await self._write(
            "INSERT INTO units (id, provider_id, name, beds, address, facilities, slug) "
            "VALUES ($1,$2,$3,$4,$5,$6,$7)", u.id, u.provider_id, u.name, u.beds, u.address, u.facilities, u.slug)
        self._seen(u)

    async def save_unit(self, u: Unit) -> None:
        await self._write("UPDATE units SET name=$2, beds=$3, address=$4, facilities=$5 WHERE id=$1",
                          u.id, u.name, u.beds, u.address, u.facilities)

    async def unit(self, unit_id: UUID, *, for_update: bool = False) -> Unit | None:
        """With `for_update` the unit row is locked: placements into one unit take turns, so capacity holds."""
        row = await self.conn.fetchrow("SELECT * FROM units WHERE id = $1" + (" FOR UPDATE" if for_update else ""),
                                       unit_id)
        return self._seen(rows.unit(row) if row else None)

    async def lock_address(self, address: str) -> None:
        """Serialises placements at one address, so the co-location rule holds under concurrency too."""
        await self.conn.execute("SELECT pg_advisory_xact_lock(hashtext('placement-address:' || $1))",
                                rows.address_key(address))

    async def candidate(self, unit_id: UUID) -> Candidate:
        """The unit as matching sees it now (its provider, open stays, who lives at its address)."""
        [candidate] = await rows.candidates(self.conn, unit_id)
        return candidate

    async def all_units(self) -> list[Unit]:
        return [rows.unit(r) for r in await self.conn.fetch("SELECT * FROM units ORDER BY provider_id, name, id")]

    async def lock_imports(self) -> None:
        """One providers import at a time: two uploads of one file cannot both register its providers."""
        await self.conn.execute("SELECT pg_advisory_xact_lock(hashtext('placement-import-providers'))")

    async def units_with_households(self) -> list[tuple[Unit, int]]:
        """Every unit with the households in it now (0 or 1), by provider and name."""
        found = await self.conn.fetch(
            "SELECT u.*, (SELECT count(*) FROM stays s WHERE s.unit_id = u.id AND s.check_out IS NULL) AS households "
            "FROM units u ORDER BY u.provider_id, u.name, u.id")
        return [(rows.unit(r), r["households"]) for r in found]


class StayRepository(_Repository):
    async def add(self, s: Stay, *, imported: bool = False) -> None:
        await self._write(
            "INSERT INTO stays (id, household_id, decision_id, unit_id, provider_id, check_in, authorised_to, "
            "check_out, destination, justification, office_id, municipality, substance_group, moved_from_stay_id, "
            "warnings, justified_rules, imported, placed_by, placed_by_name) "
            "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19)",
            s.id, s.household_id, s.decision_id, s.unit_id, s.provider_id, s.check_in, s.authorised_to, s.check_out,
            s.destination, s.justification, s.office_id, s.municipality, s.substance_group, s.moved_from_stay_id,
            list(s.warnings), list(s.justified_rules), imported, s.placed_by, s.placed_by_name)
        self._seen(s)

    async def save(self, s: Stay) -> None:
        await self._write(
            "UPDATE stays SET decision_id = $2, authorised_to = $3, warnings = $4, check_out = $5, destination = $6, "
            "planned_check_out = $7, planned_destination = $8 WHERE id = $1",
            s.id, s.decision_id, s.authorised_to, list(s.warnings), s.check_out, s.destination, s.planned_check_out,
            s.planned_destination)

    async def get(self, stay_id: UUID, *, for_update: bool = False) -> Stay | None:
        row = await self.conn.fetchrow("SELECT * FROM stays WHERE id = $1" + (" FOR UPDATE" if for_update else ""),
                                       stay_id)
        return self._seen(rows.stay(row) if row else None)

    async def open_of_household(self, household_id: UUID, *, for_update: bool = False) -> Stay | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM stays WHERE household_id = $1 AND check_out IS NULL"
            + (" FOR UPDATE" if for_update else ""), household_id)
        return self._seen(rows.stay(row) if row else None)

    async def household_has_open_stay(self, household_id: UUID) -> bool:
        return await self.conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM stays WHERE household_id = $1 AND check_out IS NULL)", household_id)

    async def earlier_nights(self, household_id: UUID, *, excluding: UUID | None = None) -> int:
        """Nights in earlier (closed) temporary-accommodation stays of the household."""
        return await self.conn.fetchval(
            "SELECT coalesce(sum(s.check_out - s.check_in), 0) FROM stays s JOIN providers p ON p.id = s.provider_id "
            "WHERE s.household_id = $1 AND s.check_out IS NOT NULL AND p.accommodation = 'temporary' "
            "AND s.id IS DISTINCT FROM $2", household_id, excluding)

    async def households_in(self, unit_id: UUID, *, excluding: UUID | None = None) -> int:
        return await self.conn.fetchval(
            "SELECT count(*) FROM stays WHERE unit_id = $1 AND check_out IS NULL AND id IS DISTINCT FROM $2",
            unit_id, excluding)

    async def add_extension(self, s: Stay, previous_authorised_to: date, at: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO stay_extensions (id, stay_id, decision_id, previous_authorised_to, authorised_to, "
            "extended_at) VALUES ($1,$2,$3,$4,$5,$6)", uuid4(), s.id, s.decision_id, previous_authorised_to,
            s.authorised_to, at)

    async def add_action(self, a: StayAction) -> None:
        await self.conn.execute(
            "INSERT INTO stay_actions (stay_id, action, at, on_date, destination, by_username, by_name) "
            "VALUES ($1,$2,$3,$4,$5,$6,$7)", a.stay_id, a.action, a.at, a.on_date, a.destination, a.by, a.by_name)

    async def of_queue_item(self, item_id: UUID) -> tuple[Stay, str] | None:
        """The stay of a leader's queue item — the stay itself (a placement) or one of its extensions — and the
        item's kind."""
        row = await self.conn.fetchrow(
            "SELECT s.*, CASE WHEN s.id = $1 THEN 'placement' ELSE 'extension' END AS item_kind FROM stays s "
            "WHERE s.id = $1 OR s.id = (SELECT x.stay_id FROM stay_extensions x WHERE x.id = $1)", item_id)
        return (rows.stay(row), row["item_kind"]) if row else None

    async def mark_seen(self, item_id: UUID, stay_id: UUID, kind: str, *, by: str, by_name: str | None,
                        at: datetime) -> datetime:
        """Record that a leader has seen the item (the first leader's mark stands); returns when it was seen."""
        await self.conn.execute(
            "INSERT INTO leader_seen (item_id, stay_id, kind, seen_by, seen_by_name, seen_at) "
            "VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (item_id) DO NOTHING", item_id, stay_id, kind, by, by_name, at)
        return await self.conn.fetchval("SELECT seen_at FROM leader_seen WHERE item_id = $1", item_id)

    # --- imported history ------------------------------------------------------------------------------------

    async def lock_imports(self) -> None:
        """One import at a time: two uploads of one file cannot both write it."""
        await self.conn.execute("SELECT pg_advisory_xact_lock(hashtext('placement-import-stays'))")

    async def existing_ids(self, ids: list[UUID]) -> set[UUID]:
        return {r["id"] for r in await self.conn.fetch("SELECT id FROM stays WHERE id = ANY($1::uuid[])", ids)}

    async def spans(self, household_ids: list[UUID]) -> dict[UUID, list[tuple[UUID, date, date | None]]]:
        """Per household, its stays already in placement (id, check-in, check-out)."""
        out: dict[UUID, list[tuple[UUID, date, date | None]]] = {}
        for r in await self.conn.fetch("SELECT id, household_id, check_in, check_out FROM stays "
                                       "WHERE household_id = ANY($1::uuid[])", household_ids):
            out.setdefault(r["household_id"], []).append((r["id"], r["check_in"], r["check_out"]))
        return out

    async def add_imported(self, imported: list[tuple[Stay, GrantedDecision]]) -> None:
        """Imported stays with their synthetic decisions: two statements for the lot (a chunk of a history file
        is thousands of stays; one round trip each was most of an import's time)."""
        await self.conn.executemany(
            "INSERT INTO decisions (decision_id, household_id, office_id, municipality, district, outcome, "
            "period_from, period_to, household, imported) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,true) "
            "ON CONFLICT (decision_id) DO NOTHING",
            [(d.decision_id, d.household_id, d.office_id, d.municipality, d.district, d.outcome, d.period_from,
              d.period_to, rows.facts_json(d.household)) for _, d in imported])
        await self._write(
            "INSERT INTO stays (id, household_id, decision_id, unit_id, provider_id, check_in, authorised_to, "
            "check_out, destination, office_id, municipality, imported) "
            "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,true)",
            many=[(s.id, s.household_id, s.decision_id, s.unit_id, s.provider_id, s.check_in, s.authorised_to,
              s.check_out, s.destination, s.office_id, s.municipality) for s, _ in imported])
        # Their history as the file tells it: the days, not who or when.
        await self.conn.executemany(
            "INSERT INTO stay_actions (stay_id, action, on_date, destination) VALUES ($1,$2,$3,$4)",
            [(s.id, "placed", s.check_in, None) for s, _ in imported]
            + [(s.id, "moved_out", s.check_out, s.destination) for s, _ in imported if s.check_out])
        self.seen.extend(s for s, _ in imported)  # new aggregates: none of them seen before


class ImportRunRepository(_Repository):
    """The progress of history import runs (operational state: no aggregate, no events)."""

    async def start(self, run_id: UUID, *, office_id: str | None, file_name: str, rows: int, to_write: int,
                    already_imported: int, rejected: list[dict], rejected_count: int, done: bool) -> None:
        await self.conn.execute(
            "INSERT INTO import_runs (id, office_id, file_name, rows, to_write, already_imported, rejected, "
            "rejected_count, status, finished_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9, CASE WHEN $10 THEN now() END)",
            run_id, office_id, file_name, rows, to_write, already_imported, rejected, rejected_count,
            "done" if done else "running", done)

    async def progress(self, run_id: UUID, *, written: int, already_imported: int, rejected: list[dict],
                       rejected_count: int) -> None:
        await self.conn.execute(
            "UPDATE import_runs SET written = written + $2, already_imported = already_imported + $3, "
            "rejected = CASE WHEN $5 > 0 THEN rejected || $4::jsonb ELSE rejected END, "
            "rejected_count = rejected_count + $5, updated_at = now() WHERE id = $1",
            run_id, written, already_imported, rejected, rejected_count)

    async def stop(self, run_id: UUID, rejected: list[dict], rejected_count: int, error: str) -> None:
        await self.progress(run_id, written=0, already_imported=0, rejected=rejected, rejected_count=rejected_count)
        await self.finish(run_id, error)

    async def finish(self, run_id: UUID, error: str | None) -> None:
        await self.conn.execute(
            "UPDATE import_runs SET status = $2, error = $3, finished_at = now(), updated_at = now() "
            "WHERE id = $1 AND status = 'running'", run_id, "failed" if error else "done", error)


class DecisionRepository(_Repository):
    """Placement's copy of intake's decisions (no events of its own)."""

    async def add(self, d: GrantedDecision) -> None:
        """Idempotent: a decision already kept is left as it is."""
        await self.conn.execute(
            "INSERT INTO decisions (decision_id, household_id, office_id, municipality, district, outcome, "
            "period_from, period_to, household, extends_decision_id, conditions) "
            "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) ON CONFLICT (decision_id) DO NOTHING",
            d.decision_id, d.household_id, d.office_id, d.municipality, d.district, d.outcome, d.period_from,
            d.period_to, rows.facts_json(d.household), d.extends_decision_id, list(d.conditions))

    async def get(self, decision_id: UUID) -> GrantedDecision | None:
        row = await self.conn.fetchrow("SELECT * FROM decisions WHERE decision_id = $1", decision_id)
        return rows.decision(row) if row else None
