"""What billing's pages share: the templates with their Norwegian names (dates, money and numbers through the
kit's filters: `|date`, `|datetime` in Oslo time, `|money`)."""

from pathlib import Path

from kit.formatting import number_nb
from kit.templating import templates

STATUS_NB = {"matched": "Avstemt", "adjusted": "Justert", "disputed": "Omstridt"}
DECISION_NB = {"approved": "Godkjent", "disputed": "Avvist"}
KIND_NB = {"invoice": "Faktura", "credit_note": "Kreditnota"}
FINDING_NB = {
    "unknown_requisition": "Ukjent rekvisisjon", "requisition_closed": "Rekvisisjonen er lukket",
    "nights_outside_period": "Netter utenfor perioden", "nights_before_check_in": "Netter før innsjekk",
    "nights_after_move_out": "Netter etter utflytting", "nights_not_yet_stayed": "Netter ikke passert ennå",
    "price_above_agreement": "Pris over avtalen", "nights_billed_twice": "Netter fakturert to ganger",
    "duplicate_invoice": "Faktura mottatt før", "arithmetic_error": "Regnefeil", "supplier_mismatch": "Feil leverandør",
    "invalid_document": "Ugyldig dokument",
}

pages = templates(Path(__file__).parent.parent / "templates")
pages.env.globals.update(status_nb=STATUS_NB, decision_nb=DECISION_NB, kind_nb=KIND_NB, finding_nb=FINDING_NB)
pages.env.filters["kr"] = lambda v: number_nb(v, 2)  # the payment export's page (export.html) writes "kr" itself
