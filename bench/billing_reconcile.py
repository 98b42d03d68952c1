"""Benchmark: billing's three-way match (BRIEF §6).

  .venv/bin/python bench/billing_reconcile.py

1. one invoice of 1,000 lines (1,000 requisitions, a month of nights each), pure reconciliation;
2. a batch of 10,000 lines (100 invoices of 100 lines, one shared ledger of billed nights, every tenth
   invoice repeating nights already billed), pure reconciliation;
3. the same 1,000-line invoice as EHF XML: safe parse, and the official schematron rules (SaxonC-HE).
Goal: at least 5,000 lines per second for reconciliation. Prints one line per measurement and a JSON summary."""

from __future__ import annotations

import json
import platform
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from uuid import uuid4

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.billing.adapters import ehf as ehf_reader  # noqa: E402
from services.billing.adapters.schematron import validator  # noqa: E402
from services.billing.domain.invoice import DocumentLine, SupplierDocument  # noqa: E402
from services.billing.domain.model import requisition_number  # noqa: E402
from services.billing.domain.reconciliation import RequisitionTerms, reconcile  # noqa: E402
from tests.billing.factory import Line, ehf  # noqa: E402

ORGNR = "974760673"
PRICE = Decimal("1250.00")
MONTH_START, MONTH_END = date(2026, 3, 1), date(2026, 3, 31)


def requisitions(n: int) -> dict[str, RequisitionTerms]:
    out = {}
    for i in range(n):
        number = requisition_number(2026, i + 1)
        check_in = MONTH_START - timedelta(days=i % 40)  # some checked in during the month
        out[number] = RequisitionTerms(
            number=number, requisition_id=uuid4(), provider_id=uuid4(), provider_orgnr=ORGNR,
            agreement_kind="framework", office_id="nav-grunerlokka", period_from=check_in,
            period_to=date(2026, 5, 31), price_per_night=PRICE, check_in=check_in,
            check_out=date(2026, 3, 25) if i % 17 == 0 else None)
    return out


def invoice(number: str, numbers: list[str], first: date = MONTH_START, last: date = MONTH_END) -> SupplierDocument:
    nights = (last - first).days + 1
    lines = tuple(DocumentLine(line_id=str(i + 1), quantity=Decimal(nights), unit_code="DAY", unit_price=PRICE,
                               amount=PRICE * nights, first_night=first, last_night=last, reference=ref)
                  for i, ref in enumerate(numbers))
    return SupplierDocument(kind="invoice", number=number, supplier_orgnr=ORGNR, supplier_name="Bench AS",
                            issue_date=date(2026, 4, 1), currency="NOK", lines=lines,
                            line_total=sum((x.amount for x in lines), Decimal(0)))


def best_of(runs: int, fn) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def main() -> None:
    results = {"machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}"}
    terms = requisitions(1000)
    numbers = list(terms)

    one = invoice("B-1", numbers)
    best, median = best_of(5, lambda: reconcile(one, requisitions=terms, billed={}, seen_documents=set()))
    results["one_invoice_1000_lines"] = {"best_s": round(best, 4), "median_s": round(median, 4),
                                         "lines_per_s": round(1000 / median)}
    print(f"1 invoice × 1,000 lines: {median * 1000:.1f} ms median, {1000 / median:,.0f} lines/s")

    batch = []
    for k in range(100):
        chunk = numbers[(k % 10) * 100:(k % 10) * 100 + 100]
        # Invoices 0-9 bill March; 10-19 repeat it (nights billed twice); the rest bill later months.
        month = 0 if k < 20 else (k // 10) - 1
        first = date(2026, 3, 1) + timedelta(days=31 * month)
        batch.append(invoice(f"B-{k}", chunk, first, first + timedelta(days=29)))

    def run_batch():
        billed, seen = {}, set()
        return [reconcile(doc, requisitions=terms, billed=billed, seen_documents=seen) for doc in batch]
    best, median = best_of(3, run_batch)
    outcome = run_batch()
    twice = sum(1 for r in outcome for x in r.lines if "nights_billed_twice" in x.codes)
    results["batch_10000_lines"] = {"best_s": round(best, 4), "median_s": round(median, 4),
                                    "lines_per_s": round(10000 / median), "lines_with_nights_billed_twice": twice}
    print(f"batch × 10,000 lines: {median:.3f} s median, {10000 / median:,.0f} lines/s "
          f"({twice} lines with nights billed twice)")

    xml = ehf(number="B-XML", supplier_orgnr=ORGNR, order_reference=None,
              lines=[Line(MONTH_START, MONTH_END, PRICE, reference=n) for n in numbers])
    best, median = best_of(5, lambda: ehf_reader.read_ehf(xml))
    results["ehf_parse_1000_lines"] = {"bytes": len(xml), "median_s": round(median, 4)}
    print(f"EHF safe parse, 1,000 lines ({len(xml) // 1024} kB): {median * 1000:.1f} ms median")
    validator.validate(xml.decode())  # compile the rules once (not timed)
    best, median = best_of(3, lambda: validator.validate(xml.decode()))
    results["ehf_schematron_1000_lines"] = {"median_s": round(median, 4)}
    print(f"EHF schematron (CEN + PEPPOL), 1,000 lines: {median:.3f} s median")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
