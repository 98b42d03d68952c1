"""The requisition (rekvisisjon) as a PDF in Norwegian, to send the provider. fpdf2's core fonts cover
Latin-1, so æ, ø and å print without embedding a font; a character outside it (in a provider's name) prints as
"?" rather than failing the document."""

from __future__ import annotations

from datetime import date

from services.billing.adapters.queries import OfficeView
from services.billing.domain.model import Requisition, Stay

AGREEMENT_NB = {"framework": "Rammeavtale", "quality": "Kvalitetsavtale", "operating": "Driftsavtale",
                "municipal": "Kommunal", "none": "Uten avtale"}


def _d(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else "–"


def _kr(value) -> str:
    whole, _, cents = f"{value:,.2f}".partition(".")
    return whole.replace(",", " ") + "," + cents + " kr"


def _latin1(value: str) -> str:
    return value.encode("latin-1", "replace").decode("latin-1")


def _office_contact(office: OfficeView | None) -> list[tuple[str, str]]:
    if office is None:
        return []
    rows = (("Kontorets adresse", office.address), ("Telefon", office.phone), ("E-post", office.email))
    return [(label, value) for label, value in rows if value]


def render(r: Requisition, stay: Stay | None = None, *, issued_on: date, office: OfficeView | None = None) -> bytes:
    """The PDF; `issued_on` is the day it is printed (the date in Norway). The office, as intake's registry
    last told billing, is named with its address, phone and mailbox for the provider (its id until then)."""
    from fpdf import FPDF  # here, not at the top: fpdf2 (with Pillow and fontTools, ~30 MB) loads on the first PDF

    pdf = FPDF(format="A4")
    pdf.set_title(f"Rekvisisjon {r.number}")
    pdf.set_author("Nav")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 12, "Rekvisisjon - midlertidig botilbud", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 6, "Betalingsgaranti fra Nav for midlertidig botilbud etter sosialtjenesteloven § 27. "
                         "Oppgi rekvisisjonsnummeret på fakturaen (EHF: OrderReference/ID).",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    rows = [
        ("Rekvisisjonsnummer", r.number),
        ("Tilbyder", r.provider_name),
        ("Organisasjonsnummer", r.provider_orgnr),
        ("Avtale", AGREEMENT_NB.get(r.agreement_kind, r.agreement_kind)),
        ("Nav-kontor", office.name if office else r.office_id),
        *_office_contact(office),
        ("Husstand (referanse)", str(r.household_id)),
        ("Enhet", str(r.unit_id)),
        ("Periode", f"{_d(r.period_from)} - {_d(r.period_to)} ({r.nights} netter)"),
        ("Døgnpris", _kr(r.price_per_night)),
        ("Maksimalt beløp", _kr(r.max_amount)),
        ("Status", "Lukket fra " + _d(r.closed_from) if r.status == "closed" else "Åpen"),
    ]
    if stay is not None:
        rows.append(("Innsjekk", _d(stay.check_in)))
        if stay.check_out:
            rows.append(("Utflytting", _d(stay.check_out)))
    for label, value in rows:
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(60, 8, label)
        pdf.set_font("Helvetica", "", 11)
        pdf.cell(0, 8, _latin1(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(0, 5, "Nav betaler bare for netter husstanden faktisk har bodd hos tilbyderen innenfor perioden, "
                         "til avtalt døgnpris. Netter etter utflytting betales ikke. Forlengelse gis på samme "
                         "rekvisisjonsnummer.", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.cell(0, 6, f"Utstedt {_d(issued_on)}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
