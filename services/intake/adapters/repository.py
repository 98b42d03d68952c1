"""Intake's repository: loads and saves the aggregates (households, applications, decisions) and the audit
and transfer records, through asyncpg on the unit of work's connection. Nothing else: reads for pages and APIs
are in queries.py. Every aggregate loaded or added is remembered (`seen`) so the unit of work can collect
the events it recorded. A household is found by the keyed hash of its identity number, never by the number."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from services.intake.adapters.records import APPLICATION_COLUMNS, DECISION_COLUMNS, Records
from services.intake.domain.decisions import Decision
from services.intake.domain.errors import Conflict
from services.intake.domain.model import Application, AuditEntry, Household, Transfer, reference_text


class IntakeRepository:
    def __init__(self, conn: asyncpg.Connection, records: Records):
        self.conn = conn
        self.records = records
        self.seen: list[object] = []

    def _seen(self, aggregate):
        if aggregate is not None:
            self.seen.append(aggregate)
        return aggregate

    # -- households ---------------------------------------------------------------------------------------
    async def household_by_identity(self, identity_number: str, *, for_update: bool = False) -> Household | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await self.conn.fetchrow(f"SELECT * FROM households WHERE identity_hash = $1{lock}",
                                       self.records.protector.lookup_hash(identity_number))
        return self._seen(self.records.household(row)) if row else None

    async def household(self, household_id: UUID, *, for_update: bool = False) -> Household | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await self.conn.fetchrow(f"SELECT * FROM households WHERE id = $1{lock}", household_id)
        return self._seen(self.records.household(row)) if row else None

    async def add_household(self, h: Household) -> None:
        r = self.records
        try:
            await self.conn.execute(
                "INSERT INTO households (id, office_id, identity_hash, identity_encrypted, name_encrypted, "
                "contact_encrypted, applicant_birth_date, children_birth_dates, adults, needs, preferred_language) "
                "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
                h.id, h.office_id, r.protector.lookup_hash(h.identity_number), r.enc(h.identity_number),
                r.enc(h.name), r.contact(h), h.applicant_birth_date, h.children_birth_dates, h.adults, h.needs,
                h.preferred_language)
        except asyncpg.UniqueViolationError as exc:  # the same person registered at the same moment
            raise Conflict("Husstanden ble nettopp registrert av en annen; send skjemaet på nytt.",
                           "identity_number") from exc
        self._seen(h)

    async def save_household(self, h: Household) -> None:
        await self.conn.execute(
            "UPDATE households SET office_id = $2, name_encrypted = $3, contact_encrypted = $4, "
            "children_birth_dates = $5, adults = $6, needs = $7, preferred_language = $8 WHERE id = $1",
            h.id, h.office_id, self.records.enc(h.name), self.records.contact(h), h.children_birth_dates, h.adults,
            h.needs, h.preferred_language)

    async def assign_reference(self, household_id: UUID, office_id: str, year: int) -> str:
        """The office's own reference for the household: the one it has, or the office's next of `year`."""
        known = await self.conn.fetchval(
            "SELECT reference FROM household_references WHERE household_id = $1 AND office_id = $2",
            household_id, office_id)
        if known:
            return known
        number = await self.conn.fetchval(
            "INSERT INTO office_reference_counters (office_id, year, last) VALUES ($1, $2, 1) "
            "ON CONFLICT (office_id, year) DO UPDATE SET last = office_reference_counters.last + 1 RETURNING last",
            office_id, year)
        reference = reference_text(year, number)
        await self.conn.execute(
            "INSERT INTO household_references (household_id, office_id, reference) VALUES ($1, $2, $3)",
            household_id, office_id, reference)
        return reference

    # -- applications -------------------------------------------------------------------------------------
    async def add_application(self, a: Application) -> None:
        await self.conn.execute(
            f"INSERT INTO applications ({APPLICATION_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
            a.id, a.household_id, a.office_id, a.received_at, a.channel, a.urgent, a.status,
            a.provider_org_number, a.registered_by, self.records.enc(a.wishes), self.records.enc(a.notes))
        self._seen(a)

    async def application(self, application_id: UUID, *, for_update: bool = False) -> Application | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await self.conn.fetchrow(f"SELECT {APPLICATION_COLUMNS} FROM applications WHERE id = $1{lock}",
                                       application_id)
        return self._seen(self.records.application(row)) if row else None

    async def applications_of_household(self, household_id: UUID) -> list[Application]:
        rows = await self.conn.fetch(
            f"SELECT {APPLICATION_COLUMNS} FROM applications WHERE household_id = $1 ORDER BY received_at",
            household_id)
        return [self._seen(self.records.application(r)) for r in rows]

    async def save_application(self, a: Application) -> None:
        await self.conn.execute("UPDATE applications SET status = $2 WHERE id = $1", a.id, a.status)

    # -- decisions ----------------------------------------------------------------------------------------
    async def add_decision(self, d: Decision) -> None:
        r = self.records
        try:
            await self.conn.execute(
                f"INSERT INTO decisions ({DECISION_COLUMNS}) VALUES "
                "($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22)",
                d.id, d.application_id, d.household_id, d.office_id, d.outcome, d.period_from, d.period_to,
                d.decided_at, d.decided_by, d.conditions, d.legal_basis, r.enc(d.consequence),
                r.enc(d.refusal_reason), r.enc(d.justification), d.appeal_deadline, d.warnings, d.status,
                d.approved_by, d.approved_at, r.enc(d.returned_reason), d.extends_decision_id,
                r.enc(d.leader_justification))
        except asyncpg.UniqueViolationError as exc:  # decided or extended by someone else at the same moment
            raise Conflict("Saken ble nettopp avgjort av en annen.", "application_id") from exc
        self._seen(d)

    async def decision(self, decision_id: UUID, *, for_update: bool = False) -> Decision | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await self.conn.fetchrow(f"SELECT {DECISION_COLUMNS} FROM decisions WHERE id = $1{lock}",
                                       decision_id)
        return self._seen(self.records.decision(row)) if row else None

    async def decisions_of_household(self, household_id: UUID) -> list[Decision]:
        rows = await self.conn.fetch(
            f"SELECT {DECISION_COLUMNS} FROM decisions WHERE household_id = $1 ORDER BY decided_at", household_id)
        return [self._seen(self.records.decision(r)) for r in rows]

    async def save_decision(self, d: Decision) -> None:
        await self.conn.execute(
            "UPDATE decisions SET status = $2, approved_by = $3, approved_at = $4, returned_reason_encrypted = $5, "
            "leader_justification_encrypted = $6 WHERE id = $1", d.id, d.status, d.approved_by, d.approved_at,
            self.records.enc(d.returned_reason), self.records.enc(d.leader_justification))

    # -- audit log and transfers --------------------------------------------------------------------------
    async def add_audit(self, e: AuditEntry) -> None:
        await self.conn.execute(
            "INSERT INTO audit_log (at, username, role, office_id, household_id, action, purpose) "
            "VALUES ($1,$2,$3,$4,$5,$6,$7)", e.at, e.username, e.role, e.office_id, e.household_id, e.action,
            e.purpose)

    async def add_audits(self, entries: list[AuditEntry]) -> None:
        await self.conn.executemany(
            "INSERT INTO audit_log (at, username, role, office_id, household_id, action, purpose) "
            "VALUES ($1,$2,$3,$4,$5,$6,$7)",
            [(e.at, e.username, e.role, e.office_id, e.household_id, e.action, e.purpose) for e in entries])

    async def add_transfer(self, t: Transfer) -> None:
        await self.conn.execute(
            "INSERT INTO household_transfers (id, household_id, from_office_id, to_office_id, transferred_by, "
            "transferred_at, reason_encrypted) VALUES ($1,$2,$3,$4,$5,$6,$7)", t.id, t.household_id,
            t.from_office_id, t.to_office_id, t.transferred_by, t.transferred_at, self.records.enc(t.reason))

    # -- key rotation -------------------------------------------------------------------------------------
    async def rotate_encryption(self, columns: dict[str, tuple[str, ...]], batch_size: int = 500) -> int:
        """Re-encrypt every encrypted column with the newest key (MultiFernet.rotate). Returns the values
        rewritten."""
        rewritten = 0
        for table, names in columns.items():
            last = None
            while True:
                rows = await self.conn.fetch(
                    f"SELECT id, {', '.join(names)} FROM {table} WHERE ($1::uuid IS NULL OR id > $1) "
                    "ORDER BY id LIMIT $2", last, batch_size)
                if not rows:
                    break
                for row in rows:
                    values = [self.records.protector.rotate(row[c]) if row[c] is not None else None for c in names]
                    sets = ", ".join(f"{c} = ${i + 2}" for i, c in enumerate(names))
                    await self.conn.execute(f"UPDATE {table} SET {sets} WHERE id = $1", row["id"], *values)
                    rewritten += sum(v is not None for v in values)
                last = rows[-1]["id"]
        return rewritten
