"""A deterministic stream of wire events as the other services would publish them: providers and units,
then households applying, decided, placed, extended, moved out, with requisitions and invoices. Used by
the rebuild test and by bench/stats_replay.py."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from contracts import (
    ApplicationReceived,
    CapacityChanged,
    DecisionMade,
    Envelope,
    HouseholdFacts,
    HouseholdMovedOut,
    HouseholdPlaced,
    InvoiceApproved,
    InvoiceReceived,
    InvoiceReconciled,
    ProviderRegistered,
    RequisitionClosed,
    RequisitionIssued,
    StayExtended,
    UnitRegistered,
)
from contracts.placement import Agreement

AREAS = [("0301", "Grünerløkka", "nav-grunerlokka"), ("0301", "Sagene", "nav-sagene"),
         ("5001", None, "nav-falkenborg"), ("1103", None, "nav-hundvag-og-storhaug"), ("1804", None, "nav-bodo"),
         ("3203", None, "nav-asker")]
KINDS = ["framework", "framework", "quality", "municipal", "none"]
DESTINATIONS = ["municipal_rental", "private_rental", "own_home", "institution", "other", "unknown"]
ORGNR = "974760673"


def _uuid(rnd: random.Random) -> UUID:
    return UUID(int=rnd.getrandbits(128), version=4)


def events(n: int, *, year: int = 2025, seed: int = 1) -> list[Envelope]:
    """About `n` envelopes (whole households only), in the order the services would publish them."""
    rnd = random.Random(seed)
    out: list = []
    t0 = datetime(year, 1, 1, 8, tzinfo=UTC)

    def wrap(event, source, when):
        env = Envelope.wrap(event, source=f"/botilbud/{source}", correlation_id="bench")
        return env.model_copy(update={"id": _uuid(rnd), "time": when})

    providers = []
    for i, (municipality, district, _) in enumerate(AREAS * 3):
        pid, kind = _uuid(rnd), KINDS[i % len(KINDS)]
        acc = "night_shelter" if i % 7 == 6 else "temporary"
        out.append(wrap(ProviderRegistered(
            provider_id=pid, name=f"Tilbyder {i + 1}", orgnr=ORGNR, kind="private", municipality=municipality,
            district=district, accommodation=acc,
            agreement=Agreement(kind=kind, price_per_night=Decimal(450 + 25 * i))), "placement", t0))
        units = []
        for u in range(3):
            uid = _uuid(rnd)
            units.append([uid, 0])
            out.append(wrap(UnitRegistered(unit_id=uid, provider_id=pid, name=f"Enhet {u + 1}", beds=40,
                                           address=f"Gate {i + 1}"), "placement", t0))
        providers.append((pid, municipality, district, kind, acc, units, Decimal(450 + 25 * i)))

    while len(out) < n:
        pid, municipality, district, kind, acc, units, price = rnd.choice(providers)
        office = next(o for m, d, o in AREAS if m == municipality and d == district)
        household, application, decision, stay = _uuid(rnd), _uuid(rnd), _uuid(rnd), _uuid(rnd)
        facts = HouseholdFacts(
            applicant_birth_date=date(year - rnd.choice([19, 22, 24, 25, 30, 45, 60]), rnd.randint(1, 12),
                                      rnd.randint(1, 28)),
            children_birth_dates=[date(year - rnd.randint(0, 18), rnd.randint(1, 12), 1)
                                  for _ in range(rnd.choice([0, 0, 0, 1, 2]))],
            adults=rnd.choice([1, 1, 2]))
        check_in = date(year, 1, 1) + timedelta(days=rnd.randint(-60, 330))
        length = rnd.choice([rnd.randint(1, 14), rnd.randint(15, 90), rnd.randint(91, 200)])
        when = datetime.combine(check_in, datetime.min.time(), UTC) + timedelta(hours=9)
        out.append(wrap(ApplicationReceived(
            application_id=application, household_id=household, office_id=office, municipality=municipality,
            district=district, received_at=when, channel="in_person", urgent=True, household=facts), "intake", when))
        out.append(wrap(DecisionMade(
            decision_id=decision, application_id=application, household_id=household, office_id=office,
            municipality=municipality, district=district, outcome="granted", period_from=check_in,
            period_to=check_in + timedelta(days=29), decided_at=when, household=facts), "intake", when))
        unit = rnd.choice(units)
        unit[1] += 1
        out.append(wrap(HouseholdPlaced(
            stay_id=stay, household_id=household, decision_id=decision, office_id=office, municipality=municipality,
            district=district, provider_id=pid, provider_name="x", provider_orgnr=ORGNR, unit_id=unit[0],
            accommodation=acc, agreement_kind=kind, price_per_night=price, check_in=check_in,
            authorised_to=check_in + timedelta(days=29), household=facts,
            justification="Ingen ledig avtaleplass" if kind == "none" else None), "placement", when))
        out.append(wrap(CapacityChanged(provider_id=pid, unit_id=unit[0], beds=40, occupied=min(unit[1], 40),
                                        municipality=municipality, changed_at=when), "placement", when))
        requisition, number = _uuid(rnd), f"R{year}-{len(out):06d}"
        out.append(wrap(RequisitionIssued(
            requisition_id=requisition, number=number, stay_id=stay, household_id=household, office_id=office,
            provider_id=pid, provider_orgnr=ORGNR, unit_id=unit[0], agreement_kind=kind, period_from=check_in,
            period_to=check_in + timedelta(days=29), price_per_night=price, max_amount=price * 30),
            "billing", when))
        if length > 30:
            later = when + timedelta(days=25)
            out.append(wrap(DecisionMade(
                decision_id=_uuid(rnd), application_id=application, household_id=household, office_id=office,
                municipality=municipality, district=district, outcome="granted",
                period_from=check_in + timedelta(days=30), period_to=check_in + timedelta(days=length),
                decided_at=later, extends_decision_id=decision, household=facts), "intake", later))
            out.append(wrap(StayExtended(stay_id=stay, household_id=household, decision_id=decision,
                                         authorised_to=check_in + timedelta(days=length), extended_at=later),
                            "placement", later))
        check_out = check_in + timedelta(days=length)
        if check_out < date(year, 12, 31) or rnd.random() < 0.5:
            left = datetime.combine(check_out, datetime.min.time(), UTC) + timedelta(hours=10)
            unit[1] -= 1
            out.append(wrap(HouseholdMovedOut(stay_id=stay, household_id=household, check_out=check_out,
                                              destination=rnd.choice(DESTINATIONS)), "placement", left))
            out.append(wrap(CapacityChanged(provider_id=pid, unit_id=unit[0], beds=40, occupied=max(unit[1], 0),
                                            municipality=municipality, changed_at=left), "placement", left))
            out.append(wrap(RequisitionClosed(requisition_id=requisition, number=number, closed_from=check_out,
                                              reason="moved_out"), "billing", left))
            invoice, amount = _uuid(rnd), price * length
            out.append(wrap(InvoiceReceived(invoice_id=invoice, kind="invoice", supplier_orgnr=ORGNR,
                                            invoice_number=number, issue_date=check_out, total=amount, lines=1,
                                            received_at=left), "billing", left))
            out.append(wrap(InvoiceReconciled(invoice_id=invoice, status="matched", claimed=amount, payable=amount),
                            "billing", left))
            out.append(wrap(InvoiceApproved(invoice_id=invoice, provider_id=pid, supplier_orgnr=ORGNR,
                                            agreement_kind=kind, approved_amount=amount, approved_at=left),
                            "billing", left))
    return out


def record(settings, envelope: Envelope) -> dict:
    """What the outbox relay sends for an envelope: topic, key, value, CloudEvents headers."""
    return {"topic": settings.topic(envelope.data.topic.value), "key": envelope.key.encode(),
            "value": envelope.body(), "headers": [(k, v.encode()) for k, v in envelope.headers().items()]}
