"""Intake's tables, through asyncpg on the unit of work's connection.

This is where personal data is encrypted on the way in and decrypted on the way out: identity number,
name, contact details and every free-text field (a case worker may write a name in a note). A household is
found by the keyed hash of its identity number, never by the number itself."""

from __future__ import annotations

import json
from uuid import UUID

import asyncpg

from services.intake.adapters.identity import IdentityProtector
from services.intake.domain.model import Application, Decision, Household, IntakeError

ENCRYPTED_COLUMNS: dict[str, tuple[str, ...]] = {
    "households": ("identity_encrypted", "name_encrypted", "contact_encrypted"),
    "applications": ("wishes_encrypted", "notes_encrypted"),
    "decisions": ("consequence_encrypted", "refusal_reason_encrypted", "justification_encrypted",
                  "returned_reason_encrypted"),
}

_DECISION_COLUMNS = (
    "id, application_id, household_id, office_id, outcome, period_from, period_to, decided_at, decided_by, "
    "conditions, legal_basis, consequence_encrypted, refusal_reason_encrypted, justification_encrypted, "
    "appeal_deadline, warnings, status, approved_by, approved_at, returned_reason_encrypted, extends_decision_id")
_APPLICATION_COLUMNS = ("id, household_id, office_id, received_at, channel, urgent, status, provider_org_number, "
                        "registered_by, wishes_encrypted, notes_encrypted")


class IntakeRepository:
    def __init__(self, conn: asyncpg.Connection, protector: IdentityProtector):
        self.conn = conn
        self.protector = protector

    # -- encryption helpers -------------------------------------------------------------------------------
    def _enc(self, text: str | None) -> bytes | None:
        return self.protector.encrypt(text) if text else None

    def _dec(self, token: bytes | None) -> str | None:
        return self.protector.decrypt(token) if token is not None else None

    # -- households ---------------------------------------------------------------------------------------
    async def household_by_lookup_hash(self, lookup_hash: bytes) -> Household | None:
        row = await self.conn.fetchrow("SELECT * FROM households WHERE identity_hash = $1", lookup_hash)
        return self._household(row) if row else None

    async def household(self, household_id: UUID) -> Household | None:
        row = await self.conn.fetchrow("SELECT * FROM households WHERE id = $1", household_id)
        return self._household(row) if row else None

    async def add_household(self, h: Household, lookup_hash: bytes) -> None:
        try:
            await self._insert_household(h, lookup_hash)
        except asyncpg.UniqueViolationError as exc:  # the same person registered at the same moment
            raise IntakeError("Husstanden ble nettopp registrert av en annen; send skjemaet på nytt.",
                              "identity_number", 409) from exc

    async def _insert_household(self, h: Household, lookup_hash: bytes) -> None:
        await self.conn.execute(
            "INSERT INTO households (id, office_id, identity_hash, identity_encrypted, name_encrypted, "
            "contact_encrypted, applicant_birth_date, children_birth_dates, adults, needs, preferred_language) "
            "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
            h.id, h.office_id, lookup_hash, self._enc(h.identity_number), self._enc(h.name), self._contact(h),
            h.applicant_birth_date, h.children_birth_dates, h.adults, h.needs, h.preferred_language)

    async def update_household(self, h: Household) -> None:
        await self.conn.execute(
            "UPDATE households SET name_encrypted = $2, contact_encrypted = $3, children_birth_dates = $4, "
            "adults = $5, needs = $6, preferred_language = $7 WHERE id = $1",
            h.id, self._enc(h.name), self._contact(h), h.children_birth_dates, h.adults, h.needs,
            h.preferred_language)

    def _contact(self, h: Household) -> bytes:
        return self.protector.encrypt(json.dumps({"phone": h.phone, "address": h.address,
                                                  "no_fixed_address": h.no_fixed_address}))

    def _household(self, row: asyncpg.Record) -> Household:
        contact = json.loads(self._dec(row["contact_encrypted"]) or "{}")
        return Household(
            row["id"], row["office_id"], row["applicant_birth_date"], list(row["children_birth_dates"] or []),
            row["adults"], dict(row["needs"] or {}),
            row["preferred_language"], identity_number=self._dec(row["identity_encrypted"]),
            name=self._dec(row["name_encrypted"]), phone=contact.get("phone"), address=contact.get("address"),
            no_fixed_address=bool(contact.get("no_fixed_address")))

    # -- applications -------------------------------------------------------------------------------------
    async def add_application(self, a: Application) -> None:
        await self.conn.execute(
            f"INSERT INTO applications ({_APPLICATION_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
            a.id, a.household_id, a.office_id, a.received_at, a.channel, a.urgent, a.status,
            a.provider_org_number, a.registered_by, self._enc(a.wishes), self._enc(a.notes))

    async def application(self, application_id: UUID, *, for_update: bool = False) -> Application | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await self.conn.fetchrow(f"SELECT {_APPLICATION_COLUMNS} FROM applications WHERE id = $1{lock}",
                                       application_id)
        return self._application(row) if row else None

    def _application(self, row: asyncpg.Record) -> Application:
        return Application(row["id"], row["household_id"], row["office_id"], row["received_at"], row["channel"],
                           row["urgent"], row["status"], row["provider_org_number"], row["registered_by"],
                           self._dec(row["wishes_encrypted"]), self._dec(row["notes_encrypted"]))

    async def save_application_status(self, a: Application) -> None:
        await self.conn.execute("UPDATE applications SET status = $2 WHERE id = $1", a.id, a.status)

    async def applications_of_household(self, household_id: UUID) -> list[Application]:
        rows = await self.conn.fetch(
            f"SELECT {_APPLICATION_COLUMNS} FROM applications WHERE household_id = $1 ORDER BY received_at",
            household_id)
        return [self._application(r) for r in rows]

    async def case_list(self, office_id: str | None, *, open_only: bool = False,
                        limit: int = 500) -> list[asyncpg.Record]:
        """The office's cases without personal data: ids, dates, status, the latest decision."""
        return await self.conn.fetch(
            "SELECT a.id, a.id AS application_id, a.household_id, a.office_id, a.received_at, a.channel, a.urgent, "
            "a.status, h.applicant_birth_date, h.adults, cardinality(h.children_birth_dates) AS children, "
            "d.id AS decision_id, d.outcome, d.period_from, d.period_to, d.status AS decision_status, "
            "d.warnings, d.decided_by "
            "FROM applications a JOIN households h ON h.id = a.household_id "
            "LEFT JOIN LATERAL (SELECT * FROM decisions x WHERE x.application_id = a.id "
            "  ORDER BY x.decided_at DESC LIMIT 1) d ON true "
            "WHERE ($1::text IS NULL OR a.office_id = $1) "
            "AND (NOT $2 OR a.status IN ('received', 'awaiting_approval')) "
            "ORDER BY a.urgent DESC, a.received_at DESC LIMIT $3", office_id, open_only, limit)

    # -- decisions ----------------------------------------------------------------------------------------
    async def add_decision(self, d: Decision) -> None:
        try:
            await self._insert_decision(d)
        except asyncpg.UniqueViolationError as exc:  # decided or extended by someone else at the same moment
            raise IntakeError("Saken ble nettopp avgjort av en annen.", "application_id", 409) from exc

    async def _insert_decision(self, d: Decision) -> None:
        await self.conn.execute(
            f"INSERT INTO decisions ({_DECISION_COLUMNS}) VALUES "
            "($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21)",
            d.id, d.application_id, d.household_id, d.office_id, d.outcome, d.period_from, d.period_to,
            d.decided_at, d.decided_by, d.conditions, d.legal_basis, self._enc(d.consequence),
            self._enc(d.refusal_reason), self._enc(d.justification), d.appeal_deadline, d.warnings, d.status,
            d.approved_by, d.approved_at, self._enc(d.returned_reason), d.extends_decision_id)

    async def decision(self, decision_id: UUID, *, for_update: bool = False) -> Decision | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await self.conn.fetchrow(f"SELECT {_DECISION_COLUMNS} FROM decisions WHERE id = $1{lock}",
                                       decision_id)
        return self._decision(row) if row else None

    async def save_decision_status(self, d: Decision) -> None:
        await self.conn.execute(
            "UPDATE decisions SET status = $2, approved_by = $3, approved_at = $4, returned_reason_encrypted = $5 "
            "WHERE id = $1", d.id, d.status, d.approved_by, d.approved_at, self._enc(d.returned_reason))

    async def decisions_of_household(self, household_id: UUID) -> list[Decision]:
        rows = await self.conn.fetch(
            f"SELECT {_DECISION_COLUMNS} FROM decisions WHERE household_id = $1 ORDER BY decided_at", household_id)
        return [self._decision(r) for r in rows]

    async def granted_nights(self, household_id: UUID) -> int:
        """Nights granted to the household by decisions in effect (the 'three months in total' warning)."""
        return await self.conn.fetchval(
            "SELECT coalesce(sum(period_to - period_from + 1), 0) FROM decisions "
            "WHERE household_id = $1 AND outcome = 'granted' AND status = 'in_effect'", household_id)

    async def is_extended(self, decision_id: UUID) -> bool:
        return await self.conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM decisions WHERE extends_decision_id = $1 AND status <> 'returned')",
            decision_id)

    async def granted_in_effect(self) -> list[Decision]:
        rows = await self.conn.fetch(
            f"SELECT {_DECISION_COLUMNS} FROM decisions WHERE outcome = 'granted' AND status = 'in_effect' "
            "ORDER BY decided_at")
        return [self._decision(r) for r in rows]

    def _decision(self, row: asyncpg.Record) -> Decision:
        return Decision(
            row["id"], row["application_id"], row["household_id"], row["office_id"], row["outcome"],
            row["period_from"], row["period_to"], row["decided_at"], row["decided_by"] or "",
            list(row["conditions"] or []), row["legal_basis"], self._dec(row["consequence_encrypted"]),
            self._dec(row["refusal_reason_encrypted"]), self._dec(row["justification_encrypted"]),
            row["appeal_deadline"], list(row["warnings"] or []), row["status"], row["approved_by"],
            row["approved_at"], self._dec(row["returned_reason_encrypted"]), row["extends_decision_id"])

    # -- audit log ----------------------------------------------------------------------------------------
    async def add_audit(self, *, username: str, role: str, office_id: str | None, household_id: UUID | None,
                        action: str, purpose: str) -> None:
        await self.conn.execute(
            "INSERT INTO audit_log (username, role, office_id, household_id, action, purpose) "
            "VALUES ($1,$2,$3,$4,$5,$6)", username, role, office_id, household_id, action, purpose)

    async def audit_entries(self, office_id: str | None, limit: int = 500) -> list[asyncpg.Record]:
        return await self.conn.fetch(
            "SELECT id, at, username, role, office_id, household_id, action, purpose FROM audit_log "
            "WHERE ($1::text IS NULL OR office_id = $1) ORDER BY at DESC, id DESC LIMIT $2", office_id, limit)

    async def is_empty(self) -> bool:
        return not await self.conn.fetchval("SELECT EXISTS (SELECT 1 FROM households)")

    # -- key rotation -------------------------------------------------------------------------------------
    async def rotate_encryption(self, batch_size: int = 500) -> int:
        """Re-encrypt every encrypted column with the newest key (MultiFernet.rotate). Returns the values
        rewritten."""
        rewritten = 0
        for table, columns in ENCRYPTED_COLUMNS.items():
            last = None
            while True:
                rows = await self.conn.fetch(
                    f"SELECT id, {', '.join(columns)} FROM {table} WHERE ($1::uuid IS NULL OR id > $1) "
                    "ORDER BY id LIMIT $2", last, batch_size)
                if not rows:
                    break
                for row in rows:
                    values = [self.protector.rotate(row[c]) if row[c] is not None else None for c in columns]
                    sets = ", ".join(f"{c} = ${i + 2}" for i, c in enumerate(columns))
                    await self.conn.execute(f"UPDATE {table} SET {sets} WHERE id = $1", row["id"], *values)
                    rewritten += sum(v is not None for v in values)
                last = rows[-1]["id"]
        return rewritten
