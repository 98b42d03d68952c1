"""The requisition (rekvisisjon) as the provider gets it: a PDF in Norwegian that says who comes, to which unit,
for which nights, at what price and up to what amount, on which conditions, whom at Nav to call, and how to
invoice. The guest's name is intake's, asked when the PDF is made and never kept by billing.

fpdf2's core fonts cover Latin-1 (æ, ø, å, §), so nothing is embedded; a character outside it (in a name)
prints as "?" rather than failing the document."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from kit.formatting import date_nb, money_nb, number_nb, plural_nb
from services.billing.adapters.papers import PaperContext
from services.billing.domain.papers import CONDITIONS_NB, Invoicing

AGREEMENT_NB = {"framework": "Rammeavtale", "quality": "Kvalitetsavtale", "operating": "Driftsavtale",
                "municipal": "Kommunal", "none": "Uten avtale"}
NO_NAME_NB = "(navnet vises bare for Nav-kontorets ansatte)"
NOT_REACHED_NB = "(navnet kunne ikke hentes fra søknadstjenesten nå; last ned rekvisisjonen på nytt)"


@dataclass(frozen=True)
class Guest:
    name: str = field(repr=False)
    birth_date: date


@dataclass(frozen=True)
class RequisitionPaper:
    """What the PDF says, gathered from billing's tables, intake's answer and the settings."""

    number: str
    issued_on: date
    provider_name: str
    provider_orgnr: str
    agreement_kind: str
    period_from: date
    period_to: date
    price_per_night: Decimal
    status: str
    closed_from: date | None
    guest: Guest | None
    persons: int | None
    unit_name: str | None
    unit_address: str | None
    office_name: str
    office_address: str | None
    office_phone: str | None
    office_email: str | None
    contact_name: str | None
    conditions: tuple[str, ...]
    invoicing: Invoicing
    municipality_name: str | None
    guest_missing: str = NO_NAME_NB  # what the PDF says without a name

    @property
    def nights(self) -> int:
        return (self.period_to - self.period_from).days + 1

    @property
    def max_amount(self) -> Decimal:
        return self.price_per_night * self.nights


def paper_of(context: PaperContext, guest: Guest | None, *, invoicing: Invoicing, municipality_name: str | None,
             issued_on: date, guest_missing: str | None = None) -> RequisitionPaper:
    r, unit, office = context.requisition, context.unit, context.office
    return RequisitionPaper(
        number=r.number, issued_on=issued_on, provider_name=r.provider_name, provider_orgnr=r.provider_orgnr,
        agreement_kind=r.agreement_kind, period_from=r.period_from, period_to=r.period_to,
        price_per_night=r.price_per_night, status=r.status, closed_from=r.closed_from, guest=guest,
        persons=r.persons, unit_name=unit.name if unit else None, unit_address=unit.address if unit else None,
        office_name=office.name if office else (r.office_name or r.office_id),
        office_address=office.address if office else None, office_phone=office.phone if office else None,
        office_email=office.email if office else None, contact_name=r.contact_name, conditions=r.conditions,
        invoicing=invoicing, municipality_name=municipality_name, guest_missing=guest_missing or NO_NAME_NB)


def _grouped(digits: str | None, sizes: tuple[int, ...]) -> str:
    """55553333 → 55 55 33 33, 958935420 → 958 935 420 (as Norwegians write them); anything else as it is."""
    if not digits or not digits.isdigit() or len(digits) != sum(sizes):
        return digits or "–"
    parts, at = [], 0
    for size in sizes:
        parts.append(digits[at:at + size])
        at += size
    return " ".join(parts)


def phone_nb(value: str | None) -> str:
    return _grouped(value, (2, 2, 2, 2))


def orgnr_nb(value: str | None) -> str:
    return _grouped(value, (3, 3, 3))


def _latin1(value: str) -> str:
    return value.replace("–", "-").replace("×", "x").encode("latin-1", "replace").decode("latin-1")


def _rows(paper: RequisitionPaper) -> list[tuple[str, list[tuple[str, str]] | list[str]]]:
    """The document's sections: a heading and its label/value rows, or its paragraphs."""
    p = paper
    guest = [("Navn", p.guest.name if p.guest else p.guest_missing),
             ("Fødselsdato", date_nb(p.guest.birth_date) if p.guest else "–"),
             ("Antall personer", ("1 (gjesten alene)" if p.persons == 1 else
                                  f"{p.persons} (gjesten og de som bor sammen med gjesten)") if p.persons else "–")]
    place = [("Tilbyder", f"{p.provider_name} (org.nr. {orgnr_nb(p.provider_orgnr)})"),
             ("Enhet", p.unit_name or "–"), ("Adresse", p.unit_address or "–"),
             ("Avtale", AGREEMENT_NB.get(p.agreement_kind, p.agreement_kind))]
    period = [("Første natt", date_nb(p.period_from)), ("Siste natt", f"{date_nb(p.period_to)} (utsjekk dagen etter)"),
              ("Antall netter", number_nb(p.nights)), ("Pris per natt", money_nb(p.price_per_night)),
              ("Maksimalt beløp", f"{money_nb(p.max_amount)} ({plural_nb(p.nights, 'natt', 'netter')} × "
                                  f"{money_nb(p.price_per_night)})")]
    if p.status == "closed":
        period.append(("Status", f"Avsluttet: netter fra {date_nb(p.closed_from)} betales ikke (utflytting)"))
    conditions = []
    if p.conditions:
        named = ", ".join(CONDITIONS_NB.get(c, c) for c in p.conditions).lower()
        conditions.append(f"Vedtaket om botilbud har vilkår om {named}. Nav-kontoret følger opp vilkårene og gir "
                          "beskjed om det som angår dere.")
    conditions += [
        "Nav betaler for netter gjesten faktisk har bodd hos dere i perioden over, til prisen per natt over, og "
        "aldri mer enn det maksimale beløpet.",
        "Netter etter utflytting betales ikke. Gi Nav-kontoret beskjed samme dag hvis gjesten flytter ut eller "
        "ikke kommer.",
        "Garantien dekker ikke depositum, skader eller andre tjenester enn overnatting, om ikke Nav-kontoret har "
        "avtalt det skriftlig.",
        "Forlenges oppholdet, gjelder samme rekvisisjonsnummer; dere får da en oppdatert rekvisisjon.",
    ]
    pays = p.municipality_name and f"{p.municipality_name} kommune"
    invoice = [("Fakturamottaker", f"{pays or p.office_name}"),
               ("Organisasjonsnummer", orgnr_nb(p.invoicing.orgnr) if p.invoicing.orgnr else "Spør Nav-kontoret"),
               ("EHF-adresse (PEPPOL)", p.invoicing.ehf_address or "Spør Nav-kontoret"),
               ("Bestillingsreferanse", f"{p.number} (i cac:OrderReference/cbc:ID)")]
    contact = [("Nav-kontor", p.office_name), ("Adresse", p.office_address or "–"),
               ("Kontaktperson", p.contact_name or "Nav-kontorets mottak"), ("Telefon", phone_nb(p.office_phone)),
               ("E-post", p.office_email or "–")]
    return [("Gjest", guest), ("Botilbud", place), ("Periode og pris", period), ("Vilkår", conditions),
            ("Fakturering", invoice), ("Kontakt hos Nav", contact)]


def render(paper: RequisitionPaper) -> bytes:
    """The PDF, A4, one page for an ordinary requisition."""
    from fpdf import FPDF  # here, not at the top: fpdf2 (with Pillow and fontTools, ~30 MB) loads on the first PDF

    pdf = FPDF(format="A4")
    pdf.set_margins(20, 15, 20)
    pdf.set_auto_page_break(True, margin=12)
    pdf.set_title(_latin1(f"Rekvisisjon {paper.number}"))
    pdf.set_author(_latin1(paper.office_name))
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_font("Helvetica", "B", 20)
    pdf.cell(width * 0.55, 10, "Rekvisisjon")
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(width * 0.45, 10, _latin1(f"Nr. {paper.number}"), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(width * 0.55, 5, _latin1("Betalingsgaranti for midlertidig botilbud (sosialtjenesteloven § 27)"))
    pdf.cell(width * 0.45, 5, _latin1(f"Dato {date_nb(paper.issued_on)}"), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_draw_color(0, 103, 197)
    pdf.set_line_width(0.6)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(3)
    pdf.multi_cell(width, 5, _latin1(
        f"{paper.office_name} garanterer betaling for midlertidig botilbud hos {paper.provider_name} for gjesten "
        "og perioden nedenfor. Oppgi rekvisisjonsnummeret på fakturaen."), align="L", new_x="LMARGIN", new_y="NEXT")
    label = 45
    for heading, rows in _rows(paper):
        pdf.ln(2)
        pdf.set_font("Helvetica", "B", 12)
        pdf.set_text_color(0, 52, 125)
        pdf.cell(width, 6.5, _latin1(heading), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
        for row in rows:
            if isinstance(row, str):
                pdf.set_font("Helvetica", "", 10)
                pdf.cell(5, 5, "-")
                pdf.multi_cell(width - 5, 5, _latin1(row), align="L", new_x="LMARGIN", new_y="NEXT")
                continue
            key, value = row
            pdf.set_font("Helvetica", "B", 10)
            pdf.cell(label, 5, _latin1(key))
            pdf.set_font("Helvetica", "", 10)
            pdf.multi_cell(width - label, 5, _latin1(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "I", 9)
    pdf.set_text_color(80, 80, 80)
    pdf.multi_cell(width, 4.5, _latin1(
        f"Utstedt av {paper.office_name} {date_nb(paper.issued_on)}. Rekvisisjonen er laget maskinelt og gjelder uten "
        "underskrift. Den inneholder personopplysninger: oppbevar den trygt og del den ikke med andre."),
        align="L", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
