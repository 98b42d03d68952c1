"""The decision letter (vedtaksbrev) as the case worker sends it, a PDF in bokmål: what was decided and for which
period, the conditions and what follows if they are not kept, the reasons, the legal basis (sosialtjenesteloven
§ 27), the right to appeal and its deadline (three weeks, forvaltningsloven § 29), and the office's contact.

fpdf2's core fonts cover Latin-1 (æ, ø, å, §), so nothing is embedded; a character outside it (in a name)
prints as "?" rather than failing the letter."""

from __future__ import annotations

import re
from datetime import timedelta

from kit import clock
from kit.formatting import date_nb, plural_nb

CONDITIONS_NB = {
    "boligskole": "Du skal delta i boligskole, der du får hjelp til å finne, skaffe og beholde en bolig.",
    "boliglogg": "Du skal føre boliglogg: skriv ned hva du gjør for å finne et sted å bo, og vis den til "
                 "Nav-kontoret når vi møtes.",
    "other_activity": "Du skal delta i den aktiviteten du har avtalt med Nav-kontoret.",
}


def _phone(value: str | None) -> str | None:
    if value and value.isdigit() and len(value) == 8:
        return " ".join(value[i:i + 2] for i in range(0, 8, 2))
    return value


def _latin1(value: str) -> str:
    """Latin-1 for the core font; a section sign keeps its number on the same line (a no-break space)."""
    value = re.sub(r"(§+) (?=\d)", "\\1\u00a0", value)
    return value.replace("–", "-").replace("’", "'").encode("latin-1", "replace").decode("latin-1")


def title(letter) -> str:
    d = letter.decision
    if d.outcome == "refused":
        return "Vedtak om avslag på søknad om midlertidig botilbud"
    return "Vedtak om forlenget midlertidig botilbud" if d.extends_decision_id else "Vedtak om midlertidig botilbud"


def sections(letter) -> list[tuple[str | None, list[str]]]:
    """The letter's text: headed paragraphs, in the order a case worker writes them."""
    d, a, h, office = letter.decision, letter.case.application, letter.case.household, letter.office
    children = len(h.children_birth_dates)
    who = (f"Vedtaket gjelder husstanden din: {plural_nb(h.adults, 'voksen', 'voksne')}"
           f"{f' og {children} barn' if children else ''}." if h.adults > 1 or children else None)
    opening = [f"Vi viser til søknaden din om midlertidig botilbud, som vi fikk {date_nb(clock.today(a.received_at))}."]
    out: list[tuple[str | None, list[str]]] = [(None, opening)]
    if d.outcome == "granted":
        decided = [f"Du får midlertidig botilbud fra og med {date_nb(d.period_from)} til og med {date_nb(d.period_to)} "
                   f"({plural_nb(d.nights, 'natt', 'netter')})."]
        if d.extends_decision_id:
            decided.append(f"Vedtaket forlenger botilbudet du har hatt til og med "
                           f"{date_nb(d.period_from - timedelta(days=1))}.")
        if who:
            decided.append(who)
        decided.append("Nav-kontoret gir deg beskjed om hvor du skal bo, og betaler stedet direkte. Du skal ikke "
                       "betale noe selv for overnattingen.")
        out.append(("Vedtak", decided))
        if d.conditions:
            conditions = ["Vi har satt disse vilkårene for vedtaket:"]
            conditions += [f"- {CONDITIONS_NB.get(c, c)}" for c in d.conditions]
            conditions.append(f"Hvis du ikke følger vilkårene: {d.consequence}" if d.consequence else
                              "Hvis du ikke følger vilkårene, kan det få betydning for om du får forlenget "
                              "botilbudet. Snakk med oss hvis det er vanskelig å følge dem.")
            out.append(("Vilkår", conditions))
        reasons = ["Du har ikke et sted å bo, og du har ikke klart å skaffe deg et sted selv. Kommunen skal da "
                   "finne et midlertidig botilbud for deg. Vi har vurdert at du har rett til det i perioden over."]
        if d.justification:
            reasons.append(d.justification)
        reasons.append("Midlertidig botilbud er en løsning for en kort tid. Vi vil samarbeide med deg om å finne "
                       "en varig bolig så snart som mulig.")
        out.append(("Begrunnelse", reasons))
    else:
        refused = ["Du får ikke midlertidig botilbud."]
        if who:
            refused.append(who)
        out.append(("Vedtak", refused))
        out.append(("Begrunnelse", [d.refusal_reason or "", "Står du uten et sted å sove i natt, kontakt "
                                    "Nav-kontoret med en gang."]))
    basis = d.legal_basis[:1].lower() + d.legal_basis[1:] if d.legal_basis.startswith("Sosial") else d.legal_basis
    out.append(("Lovgrunnlag", [
        f"Vedtaket er gjort etter {basis} (lov om sosiale tjenester i arbeids- og velferdsforvaltningen). "
        "Kommunen skal finne midlertidig botilbud for dem som ikke klarer det selv."]))
    where = f", {office.address}" if office.address else ""
    out.append(("Du har rett til å klage", [
        f"Du kan klage på vedtaket. Fristen for å klage er tre uker fra du fikk dette brevet (forvaltningsloven "
        f"§ 29). Har du fått brevet samme dag som det er datert, må klagen være sendt senest "
        f"{date_nb(d.appeal_deadline)}.",
        f"Send klagen til {office.name}{where}. Skriv hvilket vedtak du klager på, hva du er uenig i og hva du "
        "ønsker. Vi ser på saken på nytt. Får du ikke medhold, sender vi klagen til Statsforvalteren, som avgjør "
        "den (sosialtjenesteloven § 48). Vi kan hjelpe deg med å skrive klagen.",
        "Du har rett til å se dokumentene i saken din (forvaltningsloven §§ 18 og 19)."]))
    contact = [f"Har du spørsmål, kontakt oss på telefon {_phone(office.phone)}." if office.phone else
               "Har du spørsmål, kontakt Nav-kontoret."]
    if office.email:
        contact.append(f"E-post: {office.email} (skriv ikke fødselsnummer eller helseopplysninger i e-post).")
    out.append(("Kontakt", contact))
    return out


def render(letter) -> bytes:
    """The letter as a PDF (A4). `letter`: the service layer's DecisionLetter (the decision, its case with the
    household and the office's reference, the office, and the day it is dated)."""
    from fpdf import FPDF  # here, not at the top: fpdf2 (with Pillow and fontTools, ~30 MB) loads on the first PDF

    d, h, office = letter.decision, letter.case.household, letter.office
    pdf = FPDF(format="A4")
    pdf.set_margins(22, 15, 22)
    pdf.set_auto_page_break(True, margin=14)
    pdf.set_title(_latin1(title(letter)))
    pdf.set_author(_latin1(office.name))
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(width / 2, 6, _latin1(office.name))
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(width / 2, 6, _latin1(f"Dato: {date_nb(letter.dated)}"), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(width / 2, 5, _latin1(office.address or ""))
    pdf.cell(width / 2, 5, _latin1(f"Vår referanse: {letter.case.reference or '–'}"), align="R",
             new_x="LMARGIN", new_y="NEXT")
    if office.phone:
        pdf.cell(width, 5, _latin1(f"Telefon {_phone(office.phone)}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(7)
    pdf.set_font("Helvetica", "", 11)
    pdf.cell(width, 5.5, _latin1(h.name or ""), new_x="LMARGIN", new_y="NEXT")
    address = "Uten fast bolig" if h.no_fixed_address or not h.address else h.address
    pdf.multi_cell(width, 5.5, _latin1(address), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(7)
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(width, 7, _latin1(title(letter)), align="L", new_x="LMARGIN", new_y="NEXT")
    for heading, paragraphs in sections(letter):
        pdf.ln(1.5)
        if heading:
            pdf.set_font("Helvetica", "B", 10.5)
            pdf.cell(width, 6, _latin1(heading), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        for paragraph in paragraphs:
            pdf.multi_cell(width, 4.8, _latin1(paragraph), align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(0.8)
    pdf.ln(3)
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(width, 4.8, _latin1(f"Med vennlig hilsen\n{office.name}"), align="L", new_x="LMARGIN",
                   new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "I", 9)
    pdf.set_text_color(80, 80, 80)
    pdf.multi_cell(width, 4.5, _latin1(
        f"Brevet er godkjent elektronisk og har derfor ingen underskrift. Vedtaket ble fattet "
        f"{date_nb(clock.today(d.decided_at))}"
        + (f" og godkjent {date_nb(clock.today(d.approved_at))}." if d.approved_at else ".")),
        align="L", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
