"""The three-way match (BRIEF §6): the requisition is the order, the stay is the receipt, the invoice is the bill.

Pure Python. `reconcile` reads one supplier document against what billing knows (requisitions with their
stays, fixed places under framework agreements, nights already billed, invoices already received) and says,
per line, what is payable and why not all of it. It updates the two ledgers it is given (nights billed,
invoices seen) so a batch of documents is matched as if they arrived one after another.

Nights: a line's nights are its InvoicePeriod's first to last night, both included; the household's stay
covers check-in to the night before check-out; the requisition covers its period (closed at move-out). A night
on or after the day the invoice was received (Europe/Oslo date, `received_on`) has not been stayed yet and is
not paid: a later invoice may bill it, or finance may adjust the line once the night has passed."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, MutableSet
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from uuid import UUID

from pure.nb_text import count_text, kr_text
from services.billing.domain.invoice import CREDIT_NOTE, NIGHT_UNIT, DocumentLine, SupplierDocument
from services.billing.domain.terms import FixedPlaces, RequisitionTerms

# The finding codes (the list, verbatim).
UNKNOWN_REQUISITION = "unknown_requisition"
REQUISITION_CLOSED = "requisition_closed"
NIGHTS_OUTSIDE_PERIOD = "nights_outside_period"
NIGHTS_BEFORE_CHECK_IN = "nights_before_check_in"
NIGHTS_AFTER_MOVE_OUT = "nights_after_move_out"
NIGHTS_NOT_YET_STAYED = "nights_not_yet_stayed"
PRICE_ABOVE_AGREEMENT = "price_above_agreement"
NIGHTS_BILLED_TWICE = "nights_billed_twice"
DUPLICATE_INVOICE = "duplicate_invoice"
ARITHMETIC_ERROR = "arithmetic_error"
SUPPLIER_MISMATCH = "supplier_mismatch"
INVALID_DOCUMENT = "invalid_document"
FINDING_CODES = (UNKNOWN_REQUISITION, REQUISITION_CLOSED, NIGHTS_OUTSIDE_PERIOD, NIGHTS_BEFORE_CHECK_IN,
                 NIGHTS_AFTER_MOVE_OUT, NIGHTS_NOT_YET_STAYED, PRICE_ABOVE_AGREEMENT, NIGHTS_BILLED_TWICE,
                 DUPLICATE_INVOICE, ARITHMETIC_ERROR, SUPPLIER_MISMATCH, INVALID_DOCUMENT)

# A line with one of these cannot be paid on what the document says: finance must look (disputed).
BLOCKING = frozenset({UNKNOWN_REQUISITION, REQUISITION_CLOSED, SUPPLIER_MISMATCH, DUPLICATE_INVOICE,
                      INVALID_DOCUMENT, ARITHMETIC_ERROR})

MATCHED, ADJUSTED, DISPUTED = "matched", "adjusted", "disputed"

# The reference a supplier quotes on a line that bills fixed places under its framework agreement.
FIXED_PLACES_REFERENCE = "FASTE-PLASSER"
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Finding:
    code: str
    message: str  # Norwegian, shown to finance
    nights: int = 0
    amount: Decimal = Decimal(0)


@dataclass
class MatchedLine:
    """A document line as the match settled it. Shared by the match's result and the stored invoice line, so
    the two cannot drift apart."""

    position: int
    line_id: str
    requisition_number: str | None
    requisition_id: UUID | None
    provider_id: UUID | None
    agreement_kind: str | None
    office_id: str | None
    first_night: date | None
    last_night: date | None
    claimed_nights: int
    claimed_price: Decimal
    claimed_amount: Decimal
    payable_nights: int
    payable_amount: Decimal
    status: str


@dataclass
class LineResult(MatchedLine):
    findings: list[Finding] = field(default_factory=list)
    paid_nights: tuple[date, ...] = ()  # the nights this line pays (or, for a credit note, gives back)
    ledger_key: str | None = None

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.findings]


@dataclass
class Reconciliation:
    status: str
    claimed: Decimal
    payable: Decimal
    findings: list[Finding]  # about the document as a whole
    lines: list[LineResult]

    @property
    def codes(self) -> list[str]:
        """Every finding code on the document and its lines, each once, in the issue's order."""
        seen = {f.code for f in self.findings} | {c for line in self.lines for c in line.codes}
        return [c for c in FINDING_CODES if c in seen]


def normalise_reference(reference: str | None) -> str | None:
    if reference is None:
        return None
    value = reference.strip().upper().replace(" ", "")
    return value or None


def document_key(doc: SupplierDocument) -> tuple[str, str, str]:
    """What makes an invoice the same invoice: the supplier, its kind and its number."""
    return (doc.supplier_orgnr, doc.kind, doc.number.strip().upper())


def nights_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def reconcile(doc: SupplierDocument, *, requisitions: Mapping[str, RequisitionTerms],
              fixed_places: Mapping[str, FixedPlaces] | None = None,
              billed: MutableMapping[str, MutableSet[date]] | None = None,
              seen_documents: MutableSet[tuple[str, str, str]] | None = None,
              price_tolerance: Decimal = Decimal(0), received_on: date | None = None) -> Reconciliation:
    """Match every line of `doc`. `requisitions` is keyed by normalised number; `fixed_places` by supplier
    org.nr; `billed` holds, per requisition number (or fixed-places key), the nights already paid, and is
    updated; `seen_documents` holds the `document_key`s already received, and is updated. `received_on` is the
    day the document was received: nights from then on are not yet stayed (None: no such check)."""
    fixed_places = fixed_places or {}
    billed = billed if billed is not None else {}
    seen_documents = seen_documents if seen_documents is not None else set()
    sign = Decimal(-1) if doc.kind == CREDIT_NOTE else Decimal(1)
    doc_findings: list[Finding] = []

    key = document_key(doc)
    duplicate = key in seen_documents
    if duplicate:
        doc_findings.append(Finding(DUPLICATE_INVOICE, f"{doc.number} fra {doc.supplier_orgnr} er mottatt før: "
                                                       "ingenting betales to ganger."))
    else:
        seen_documents.add(key)
    if doc.problems:
        doc_findings.append(Finding(INVALID_DOCUMENT, "Dokumentet bryter reglene: " + ", ".join(doc.problems)))
    if doc.currency.upper() != "NOK":
        doc_findings.append(Finding(INVALID_DOCUMENT, f"Valuta {doc.currency}, ikke NOK."))
    stated = sum((line.amount for line in doc.lines), Decimal(0))
    if _money(stated) != _money(doc.line_total):
        doc_findings.append(Finding(ARITHMETIC_ERROR, f"Sum linjer {kr_text(stated)}, men fakturaen oppgir "
                                                      f"{kr_text(doc.line_total)}."))

    lines = []
    for position, line in enumerate(doc.lines, start=1):
        if duplicate:
            result = _line_shell(position, line, doc, requisitions)
            result.findings.append(Finding(DUPLICATE_INVOICE, "Fakturaen er en kopi av en mottatt faktura."))
            _settle(result, sign)
        else:
            result = _reconcile_line(position, line, doc, requisitions, fixed_places, billed, price_tolerance,
                                     sign, received_on)
        lines.append(result)

    claimed = sum((r.claimed_amount for r in lines), Decimal(0))
    payable = sum((r.payable_amount for r in lines), Decimal(0))
    if doc_findings or any(r.status == DISPUTED for r in lines):
        status = DISPUTED
    elif any(r.status == ADJUSTED for r in lines):
        status = ADJUSTED
    else:
        status = MATCHED
    return Reconciliation(status, claimed, payable, doc_findings, lines)


def _reference_for(line: DocumentLine, doc: SupplierDocument) -> str | None:
    return normalise_reference(line.reference or doc.order_reference or doc.buyer_reference)


def _line_shell(position: int, line: DocumentLine, doc: SupplierDocument,
                requisitions: Mapping[str, RequisitionTerms]) -> LineResult:
    reference = _reference_for(line, doc)
    terms = requisitions.get(reference) if reference else None
    first = line.first_night or doc.first_night
    last = line.last_night or doc.last_night
    nights = int(line.quantity) if line.quantity == line.quantity.to_integral_value() else 0
    return LineResult(
        position=position, line_id=line.line_id, requisition_number=reference,
        requisition_id=terms.requisition_id if terms else None, provider_id=terms.provider_id if terms else None,
        agreement_kind=terms.agreement_kind if terms else None, office_id=terms.office_id if terms else None,
        first_night=first, last_night=last, claimed_nights=nights, claimed_price=line.unit_price,
        claimed_amount=line.amount, payable_nights=0, payable_amount=Decimal(0), status=DISPUTED)


def _settle(result: LineResult, sign: Decimal) -> None:
    """Status from the findings and the money; a credit note's amounts count negative."""
    codes = set(result.codes)
    if codes & BLOCKING or (result.payable_amount == 0 and result.claimed_amount > 0):
        result.status = DISPUTED
        result.payable_nights, result.payable_amount, result.paid_nights = 0, Decimal(0), ()
    elif result.payable_amount < result.claimed_amount or codes:
        result.status = ADJUSTED
    else:
        result.status = MATCHED
    result.claimed_amount = _money(result.claimed_amount * sign)
    result.payable_amount = _money(result.payable_amount * sign)


def _reconcile_line(position: int, line: DocumentLine, doc: SupplierDocument,
                    requisitions: Mapping[str, RequisitionTerms], fixed_places: Mapping[str, FixedPlaces],
                    billed: MutableMapping[str, MutableSet[date]], tolerance: Decimal,
                    sign: Decimal, received_on: date | None) -> LineResult:
    result = _line_shell(position, line, doc, requisitions)
    findings = result.findings
    reference = result.requisition_number
    first, last = result.first_night, result.last_night

    # The document must say which nights, in nights, with sums that add up.
    if line.unit_code.upper() != NIGHT_UNIT:
        findings.append(Finding(INVALID_DOCUMENT, f"Enheten er {line.unit_code}, ikke døgn ({NIGHT_UNIT})."))
    if first is None or last is None or last < first:
        findings.append(Finding(INVALID_DOCUMENT, "Linjen oppgir ikke en gyldig periode (første og siste natt)."))
    if findings:
        _settle(result, sign)
        return result
    period_nights = (last - first).days + 1
    if _money(line.quantity * line.unit_price) != _money(line.amount):
        findings.append(Finding(ARITHMETIC_ERROR, f"{line.quantity} × {kr_text(line.unit_price)} er ikke "
                                                  f"{kr_text(line.amount)}."))
    if reference == FIXED_PLACES_REFERENCE:
        return _reconcile_fixed_places(result, line, doc, fixed_places, billed, tolerance, sign, received_on)
    if line.quantity != period_nights:
        findings.append(Finding(ARITHMETIC_ERROR, f"Antall døgn {line.quantity} stemmer ikke med perioden "
                                                  f"({count_text(period_nights, 'natt', 'netter')})."))
    if reference is None:
        findings.append(Finding(UNKNOWN_REQUISITION, "Linjen oppgir ingen rekvisisjon."))
        _settle(result, sign)
        return result

    terms = requisitions.get(reference)
    if terms is None:
        findings.append(Finding(UNKNOWN_REQUISITION, f"Rekvisisjon {reference} finnes ikke."))
        _settle(result, sign)
        return result
    if terms.provider_orgnr != doc.supplier_orgnr:
        findings.append(Finding(SUPPLIER_MISMATCH, f"Rekvisisjon {reference} er utstedt til org.nr. "
                                                   f"{terms.provider_orgnr}, fakturaen er fra {doc.supplier_orgnr}."))
    if terms.closed_from is not None and first >= terms.closed_from:
        findings.append(Finding(REQUISITION_CLOSED, f"Rekvisisjon {reference} ble lukket "
                                                    f"{terms.closed_from:%d.%m.%Y}, før første natt på linjen."))
    if findings and set(result.codes) & BLOCKING:
        _settle(result, sign)
        return result

    ledger = billed.setdefault(reference, set())
    if sign < 0:
        # A credit note gives nights back: they may be billed again, and reduce what was paid.
        credited = nights_between(first, last)
        for night in credited:
            ledger.discard(night)
        result.payable_nights, result.payable_amount = period_nights, line.amount
        result.paid_nights, result.ledger_key = tuple(credited), reference
        _settle(result, sign)
        return result

    stay_last = terms.check_out - timedelta(days=1) if terms.check_out else None
    payable: list[date] = []
    before = after = outside = future = twice = 0
    for night in nights_between(first, last):
        if terms.check_in is not None and night < terms.check_in:
            before += 1
        elif stay_last is not None and night > stay_last:
            after += 1
        elif night < terms.period_from or night > terms.period_to:
            outside += 1
        elif received_on is not None and night >= received_on:
            future += 1
        elif night in ledger:
            twice += 1
        else:
            payable.append(night)
    if before:
        findings.append(Finding(NIGHTS_BEFORE_CHECK_IN, f"{count_text(before, 'natt', 'netter')} før innsjekk "
                                                        f"{terms.check_in:%d.%m.%Y}.", before))
    if after:
        findings.append(Finding(NIGHTS_AFTER_MOVE_OUT, f"{count_text(after, 'natt', 'netter')} etter utflytting "
                                                       f"{terms.check_out:%d.%m.%Y}.", after))
    if outside:
        findings.append(Finding(NIGHTS_OUTSIDE_PERIOD, f"{count_text(outside, 'natt', 'netter')} "
                                                       f"utenfor rekvisisjonens periode "
                                                       f"{terms.period_from:%d.%m.%Y}–{terms.period_to:%d.%m.%Y}.",
                                outside))
    if future:
        findings.append(_not_yet_stayed(future, received_on))
    if twice:
        findings.append(Finding(NIGHTS_BILLED_TWICE, f"{count_text(twice, 'natt', 'netter')} er fakturert før.", twice))
    price = line.unit_price
    if price > terms.price_per_night + tolerance:
        findings.append(Finding(PRICE_ABOVE_AGREEMENT, f"Døgnpris {kr_text(price)} er over avtalt "
                                                       f"{kr_text(terms.price_per_night)}."))
        price = terms.price_per_night
    result.payable_nights = len(payable)
    result.payable_amount = min(_money(price * len(payable)), line.amount)
    result.paid_nights, result.ledger_key = tuple(payable), reference
    _settle(result, sign)
    if result.status != DISPUTED:
        ledger.update(result.paid_nights)
    return result


def _not_yet_stayed(nights: int, received_on: date) -> Finding:
    return Finding(NIGHTS_NOT_YET_STAYED, f"{count_text(nights, 'natt', 'netter')} "
                                          f"fra {received_on:%d.%m.%Y} (dagen fakturaen kom) er "
                                          "ikke passert ennå: de betales på en senere faktura, eller ved "
                                          "justering når nettene er passert.", nights)


def _reconcile_fixed_places(result: LineResult, line: DocumentLine, doc: SupplierDocument,
                            fixed_places: Mapping[str, FixedPlaces], billed: MutableMapping[str, MutableSet[date]],
                            tolerance: Decimal, sign: Decimal, received_on: date | None) -> LineResult:
    """Fixed places are paid whether used or not: no stay to compare with, only the number of places, the
    agreement's price, and nights not billed before (nor yet to come). Quantity is place-nights; the period is
    the nights."""
    findings = result.findings
    agreement = fixed_places.get(doc.supplier_orgnr)
    if agreement is None or agreement.places <= 0:
        findings.append(Finding(UNKNOWN_REQUISITION, f"Org.nr. {doc.supplier_orgnr} har ingen faste plasser "
                                                     "i en rammeavtale."))
        _settle(result, sign)
        return result
    result.provider_id, result.agreement_kind = agreement.provider_id, agreement.agreement_kind
    if set(result.codes) & BLOCKING:
        _settle(result, sign)
        return result
    first, last = result.first_night, result.last_night
    places = int(line.quantity) // max((last - first).days + 1, 1)
    key = f"{FIXED_PLACES_REFERENCE}:{doc.supplier_orgnr}"
    ledger = billed.setdefault(key, set())
    nights = nights_between(first, last)
    if sign < 0:
        for night in nights:
            ledger.discard(night)
        result.payable_nights, result.payable_amount = int(line.quantity), line.amount
        result.paid_nights, result.ledger_key = tuple(nights), key
        _settle(result, sign)
        return result
    due = [n for n in nights if received_on is None or n < received_on]
    if len(due) < len(nights):
        findings.append(_not_yet_stayed(len(nights) - len(due), received_on))
    new = [n for n in due if n not in ledger]
    if len(new) < len(due):
        findings.append(Finding(NIGHTS_BILLED_TWICE, f"{len(due) - len(new)} netter med faste plasser er "
                                                     "fakturert før.", len(due) - len(new)))
    price = line.unit_price
    if price > agreement.price_per_night + tolerance:
        findings.append(Finding(PRICE_ABOVE_AGREEMENT, f"Døgnpris {kr_text(price)} er over avtalt "
                                                       f"{kr_text(agreement.price_per_night)}."))
        price = agreement.price_per_night
    paid_places = min(places, agreement.places)
    if places > agreement.places:
        findings.append(Finding(NIGHTS_OUTSIDE_PERIOD, f"{count_text(places, 'plass', 'plasser')} "
                                                       f"fakturert, avtalen har "
                                                       f"{agreement.places} faste plasser.",
                                (places - agreement.places) * len(new)))
    result.claimed_nights = int(line.quantity)
    result.payable_nights = paid_places * len(new)
    result.payable_amount = min(_money(price * result.payable_nights), line.amount)
    result.paid_nights, result.ledger_key = tuple(new), key
    _settle(result, sign)
    if result.status != DISPUTED:
        ledger.update(new)
    return result
