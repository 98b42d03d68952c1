"""Rows ↔ domain objects, for the repository and the queries alike. This is where personal data is encrypted
on the way in and decrypted on the way out: identity number, name, contact details and every free-text field
(a case worker may write a name in a note)."""

from __future__ import annotations

import json

import asyncpg

from services.intake.adapters.identity import IdentityProtector
from services.intake.domain.decisions import Decision
from services.intake.domain.model import Application, Household

ENCRYPTED_COLUMNS: dict[str, tuple[str, ...]] = {
    "households": ("identity_encrypted", "name_encrypted", "contact_encrypted"),
    "applications": ("wishes_encrypted", "notes_encrypted"),
    "decisions": ("consequence_encrypted", "refusal_reason_encrypted", "justification_encrypted",
                  "returned_reason_encrypted", "leader_justification_encrypted"),
    "household_transfers": ("reason_encrypted",),
}

DECISION_COLUMNS = (
    "id, application_id, household_id, office_id, outcome, period_from, period_to, decided_at, decided_by, "
    "conditions, legal_basis, consequence_encrypted, refusal_reason_encrypted, justification_encrypted, "
    "appeal_deadline, warnings, status, approved_by, approved_at, returned_reason_encrypted, extends_decision_id, "
    "leader_justification_encrypted")
APPLICATION_COLUMNS = ("id, household_id, office_id, received_at, channel, urgent, status, provider_org_number, "
                       "registered_by, wishes_encrypted, notes_encrypted")


class Records:
    def __init__(self, protector: IdentityProtector):
        self.protector = protector

    def enc(self, text: str | None) -> bytes | None:
        return self.protector.encrypt(text) if text else None

    def dec(self, token: bytes | None) -> str | None:
        return self.protector.decrypt(token) if token is not None else None

    def contact(self, h: Household) -> bytes:
        return self.protector.encrypt(json.dumps({"phone": h.phone, "address": h.address,
                                                  "no_fixed_address": h.no_fixed_address}))

    def household(self, row: asyncpg.Record) -> Household:
        contact = json.loads(self.dec(row["contact_encrypted"]) or "{}")
        return Household(
            row["id"], row["office_id"], row["applicant_birth_date"], list(row["children_birth_dates"] or []),
            row["adults"], dict(row["needs"] or {}),
            row["preferred_language"], identity_number=self.dec(row["identity_encrypted"]),
            name=self.dec(row["name_encrypted"]), phone=contact.get("phone"), address=contact.get("address"),
            no_fixed_address=bool(contact.get("no_fixed_address")))

    def application(self, row: asyncpg.Record) -> Application:
        return Application(row["id"], row["household_id"], row["office_id"], row["received_at"], row["channel"],
                           row["urgent"], row["status"], row["provider_org_number"], row["registered_by"],
                           self.dec(row["wishes_encrypted"]), self.dec(row["notes_encrypted"]))

    def decision(self, row: asyncpg.Record) -> Decision:
        return Decision(
            row["id"], row["application_id"], row["household_id"], row["office_id"], row["outcome"],
            row["period_from"], row["period_to"], row["decided_at"], row["decided_by"] or "",
            list(row["conditions"] or []), row["legal_basis"], self.dec(row["consequence_encrypted"]),
            self.dec(row["refusal_reason_encrypted"]), self.dec(row["justification_encrypted"]),
            row["appeal_deadline"], list(row["warnings"] or []), row["status"], row["approved_by"],
            row["approved_at"], self.dec(row["returned_reason_encrypted"]), row["extends_decision_id"],
            self.dec(row["leader_justification_encrypted"]))
