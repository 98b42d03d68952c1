"""The payment file: one export's lines as Norwegian Excel reads them (`kit.exports`: `;`, UTF-8 with BOM),
with labels rather than codes, dates as dd.mm.åååå and amounts with a decimal comma. Written once, when the
export is made, and kept: a second download gives the very same bytes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from kit.exports import to_csv
from kit.formatting import date_nb, datetime_nb
from services.billing.domain.payments import DueLine, PaymentExport

COLUMNS = ["Eksport", "Faktura-id", "Type", "Leverandørens org.nr.", "Leverandør", "Fakturanummer", "Fakturadato",
           "Godkjent", "Linje", "Rekvisisjon", "Nav-kontor", "Avtaletype", "Første natt", "Siste natt", "Netter",
           "Beløp (kr)"]
KIND_NB = {"invoice": "Faktura", "credit_note": "Kreditnota"}
AGREEMENT_NB = {"framework": "Rammeavtale", "quality": "Kvalitetsavtale", "operating": "Driftsavtale",
                "municipal": "Kommunal", "none": "Uten avtale"}


@dataclass(frozen=True)
class Kroner:
    """An amount with two decimals and a decimal comma ("-1650,00"), no thousands separator (Excel reads it as
    a number). Not text, so `kit.exports` does not take a credit note's minus for the start of a formula."""

    value: Decimal

    def __str__(self) -> str:
        return f"{self.value:.2f}".replace(".", ",")


def rows(export: PaymentExport, lines: list[DueLine]) -> list[tuple]:
    short = str(export.id)[:8]
    return [(short, str(x.invoice_id), KIND_NB.get(x.kind, x.kind), x.supplier_orgnr, x.supplier_name,
             x.invoice_number, date_nb(x.issue_date), datetime_nb(x.approved_at), x.position,
             x.requisition_number or "", x.office_name or x.office_id or "",
             AGREEMENT_NB.get(x.agreement_kind, "Ukjent"), date_nb(x.first_night) if x.first_night else "",
             date_nb(x.last_night) if x.last_night else "", x.nights, Kroner(x.amount)) for x in lines]


def write(export: PaymentExport, lines: list[DueLine]) -> bytes:
    """The file, with a summary under the lines: the period, the number of lines and the sum."""
    notes = [("Periode (godkjent)", f"{date_nb(export.period_from)}–{date_nb(export.period_to)}"),
             ("Laget", datetime_nb(export.created_at), export.created_by_name or export.created_by),
             ("Linjer", export.lines), ("Sum (kr)", Kroner(export.total))]
    return to_csv(COLUMNS, rows(export, lines), notes)


def file_name(export: PaymentExport) -> str:
    return f"utbetaling-{export.period_from:%Y%m%d}-{export.period_to:%Y%m%d}-{str(export.id)[:8]}.csv"
