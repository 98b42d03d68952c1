"""The household's case at one glance: one timeline of what was done and by whom — intake's applications,
decisions and approvals, placement's stays (placed, extended, moved, moved out, planned move-outs) and billing's
requisitions with the invoice lines billed against them (what was paid or disputed).

Placement's and billing's parts are their answers for the logged-in user at render time (adapters/case_parts.py
reads them into the dataclasses below); nothing of them is kept. Pure: the page turns ids into links."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from uuid import UUID

from pure.nb_text import date_text, kr_text
from pure.norway import day_in_norway
from services.intake.domain.decisions import Decision
from services.intake.domain.model import Application

DESTINATIONS_NB = {
    "municipal_rental": "kommunal utleiebolig", "private_rental": "privat leid bolig", "own_home": "egen bolig",
    "institution": "institusjon", "other_municipality": "annen kommune", "other": "annet", "unknown": "ukjent",
    "moved_to_other_provider": "annen enhet",
}
STAY_ACTIONS_NB = {
    "placed": "Plassert", "extended": "Oppholdet forlenget", "moved": "Flyttet til en annen enhet",
    "move_out_planned": "Utflytting planlagt", "planned_move_out_cancelled": "Planlagt utflytting avlyst",
    "moved_out": "Flyttet ut",
}
SETTLEMENTS_NB = {"adjust": "Fakturalinje justert", "approve": "Faktura godkjent", "dispute": "Faktura bestridt"}
MAILINGS_NB = {"issued": "Rekvisisjon sendt til tilbyderen", "extended": "Forlenget rekvisisjon sendt til tilbyderen",
               "reissued": "Rekvisisjon sendt på nytt til tilbyderen"}
PLACEMENT_SYSTEM_NB = "Plassering (automatisk)"


# --- placement's and billing's parts, as their APIs answer -----------------------------------------------------

@dataclass(frozen=True)
class StayActionPart:
    action: str
    at: datetime | None
    on_date: date | None
    destination: str | None = None
    by: str | None = None
    by_name: str | None = None


@dataclass(frozen=True)
class StayPart:
    stay_id: UUID
    provider_name: str
    unit_name: str
    check_in: date
    authorised_to: date
    check_out: date | None = None
    planned_check_out: date | None = None
    planned_destination: str | None = None
    actions: tuple[StayActionPart, ...] = ()


@dataclass(frozen=True)
class SettlementPart:
    action: str  # adjust | approve | dispute
    amount: Decimal | None
    by: str
    by_name: str | None
    at: datetime


@dataclass(frozen=True)
class BilledLinePart:
    invoice_id: UUID
    invoice_number: str
    supplier_name: str
    position: int
    first_night: date | None
    last_night: date | None
    claimed_amount: Decimal
    payable_amount: Decimal
    status: str  # matched | adjusted | disputed
    invoice_decision: str | None  # approved | disputed | None
    paid_amount: Decimal | None
    received_at: datetime
    received_by: str
    received_by_name: str | None = None
    settlements: tuple[SettlementPart, ...] = ()


@dataclass(frozen=True)
class MailingPart:
    reason: str
    requested_at: datetime
    requested_by: str | None
    sent_at: datetime | None


@dataclass(frozen=True)
class RequisitionPart:
    number: str
    stay_id: UUID
    provider_name: str
    period_from: date
    period_to: date
    price_per_night: Decimal
    max_amount: Decimal
    status: str  # open | closed
    issued_at: datetime
    contact_username: str | None = None
    contact_name: str | None = None
    mailings: tuple[MailingPart, ...] = ()
    lines: tuple[BilledLinePart, ...] = ()


# --- the timeline ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """One thing done: when (`at`, or only the day it concerns for history without a time), what, by whom,
    which part of the case it belongs to, and the ids the page links to."""

    at: datetime | None
    day: date | None
    source: str  # intake | placement | billing
    what: str
    by: str | None = None
    application_id: UUID | None = None
    decision_id: UUID | None = None
    stay_id: UUID | None = None
    requisition: str | None = None
    invoice_id: UUID | None = None
    position: int | None = None
    planned: bool = False  # a planned move-out still ahead
    tags: tuple[str, ...] = field(default=())

    @property
    def order(self) -> datetime:
        return self.at or datetime.combine(self.day or date.min, time.min, tzinfo=UTC)


def _who(username: str | None, name: str | None = None) -> str | None:
    if name and username:
        return f"{name} ({username})"
    return name or username


def intake_entries(applications: Iterable[Application], decisions: Iterable[Decision]) -> list[Entry]:
    out = []
    for a in applications:
        out.append(Entry(a.received_at, day_in_norway(a.received_at), "intake",
                         "Søknad mottatt" + (" (haster)" if a.urgent else ""), a.registered_by, application_id=a.id))
    for d in decisions:
        kind = "Forlengelse" if d.extends_decision_id else "Vedtak"
        outcome = "innvilget" if d.outcome == "granted" else "avslag"
        period = f" for {date_text(d.period_from)}–{date_text(d.period_to)}" if d.period_from else ""
        waiting = " – venter på godkjenning" if d.status == "awaiting_approval" else (
            " – sendt tilbake" if d.status == "returned" else "")
        out.append(Entry(d.decided_at, day_in_norway(d.decided_at), "intake", f"{kind}: {outcome}{period}{waiting}",
                         d.decided_by, application_id=d.application_id, decision_id=d.id))
        if d.approved_at:
            out.append(Entry(d.approved_at, day_in_norway(d.approved_at), "intake", f"{kind} godkjent av leder",
                             d.approved_by, application_id=d.application_id, decision_id=d.id))
    return out


def stay_entries(stays: Iterable[StayPart], today: date) -> list[Entry]:
    out = []
    for s in stays:
        place = f"{s.provider_name}, {s.unit_name}"
        for a in s.actions:
            # no one: placement itself carried out a planned move-out on its day
            by = _who(a.by, a.by_name) or (PLACEMENT_SYSTEM_NB if a.at and a.action == "moved_out" else None)
            what = STAY_ACTIONS_NB.get(a.action, a.action)
            if a.action == "placed":
                what = f"Plassert i {place} fra {date_text(a.on_date)}"
            elif a.action == "extended":
                what = f"Oppholdet i {place} forlenget til {date_text(a.on_date)}"
            elif a.action in ("moved", "moved_out"):
                what = f"{what} av {place} {date_text(a.on_date)}"
                if a.action == "moved_out" and a.destination:
                    what += f" (til {DESTINATIONS_NB.get(a.destination, a.destination)})"
            elif a.action in ("move_out_planned", "planned_move_out_cancelled"):
                what = f"{what} fra {place} {date_text(a.on_date)}"
                if a.destination:
                    what += f" (til {DESTINATIONS_NB.get(a.destination, a.destination)})"
            out.append(Entry(a.at, a.on_date, "placement", what, by, stay_id=s.stay_id, tags=(a.action,)))
        if s.check_out is None and s.planned_check_out and s.planned_check_out > today:
            where = DESTINATIONS_NB.get(s.planned_destination or "", s.planned_destination or "")
            out.append(Entry(None, s.planned_check_out, "placement",
                             f"Planlagt utflytting fra {place} {date_text(s.planned_check_out)}"
                             + (f" (til {where})" if where else ""), stay_id=s.stay_id, planned=True,
                             tags=("planned",)))
    return out


def requisition_entries(requisitions: Iterable[RequisitionPart]) -> list[Entry]:
    out = []
    for r in requisitions:
        out.append(Entry(r.issued_at, day_in_norway(r.issued_at), "billing",
                         f"Rekvisisjon {r.number} utstedt til {r.provider_name} for {date_text(r.period_from)}–"
                         f"{date_text(r.period_to)}, {kr_text(r.price_per_night)} per natt, "
                         f"høyst {kr_text(r.max_amount)}",
                         _who(r.contact_username, r.contact_name), stay_id=r.stay_id, requisition=r.number))
        for m in r.mailings:
            if m.sent_at:
                out.append(Entry(m.sent_at, day_in_norway(m.sent_at), "billing",
                                 f"{MAILINGS_NB.get(m.reason, m.reason)}", m.requested_by, stay_id=r.stay_id,
                                 requisition=r.number))
        for x in r.lines:
            nights = f"netter {date_text(x.first_night)}–{date_text(x.last_night)}" if x.first_night else "netter"
            out.append(Entry(x.received_at, day_in_norway(x.received_at), "billing",
                             f"Faktura {x.invoice_number} fra {x.supplier_name}, linje {x.position}: {nights}, "
                             f"krevd {kr_text(x.claimed_amount)} – {_line_outcome(x)}",
                             _who(x.received_by, x.received_by_name), stay_id=r.stay_id, requisition=r.number,
                             invoice_id=x.invoice_id, position=x.position, tags=(x.status,)))
            for s in x.settlements:
                what = SETTLEMENTS_NB.get(s.action, s.action)
                if s.action == "adjust":
                    what += f" til {kr_text(s.amount)}"
                elif s.action == "approve":
                    what += f": linjen betales med {kr_text(x.payable_amount)}"
                out.append(Entry(s.at, day_in_norway(s.at), "billing", f"{what} (faktura {x.invoice_number}, linje "
                                 f"{x.position})", _who(s.by, s.by_name), stay_id=r.stay_id, requisition=r.number,
                                 invoice_id=x.invoice_id, position=x.position, tags=(s.action,)))
    return out


def _line_outcome(x: BilledLinePart) -> str:
    if x.invoice_decision == "approved":
        return f"betalt {kr_text(x.paid_amount)}"
    if x.invoice_decision == "disputed":
        return "bestridt (fakturaen er avvist)"
    if x.status == "disputed":
        return "bestridt, venter på økonomi"
    if x.status == "adjusted":
        return f"justert til {kr_text(x.payable_amount)}, venter på godkjenning"
    return f"stemmer, {kr_text(x.payable_amount)} venter på godkjenning"


def timeline(applications: Iterable[Application], decisions: Iterable[Decision], stays: Iterable[StayPart],
             requisitions: Iterable[RequisitionPart], *, today: date) -> list[Entry]:
    """Everything, newest first (a planned move-out ahead comes first: it is the next thing to happen)."""
    entries = (intake_entries(applications, decisions) + stay_entries(stays, today)
               + requisition_entries(requisitions))
    return sorted(entries, key=lambda e: e.order, reverse=True)
