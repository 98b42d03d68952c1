"""Which municipalities border each other, for the municipalities of the demo and reference data (Oslo,
Trondheim, Stavanger, Bodø, Asker, Drammen — the Fafo note's). Kommunenummer of SSB's 2024 classification.

A border is a land border or one in the sea or a fjord (Oslo–Nesodden, Bodø–Steigen over Folda): municipal
boundaries run through the water too, and a place across the fjord is as near to a case worker as one behind a
hill. Sources, as these encyclopaedias state each municipality's neighbours (checked 2025):
* Oslo: Oslo byleksikon, "Oslo" (Bærum and Ringerike to the west, Lunner to the north, Nittedal, Lillestrøm,
  Lørenskog and Enebakk to the east, Nordre Follo to the south, Nesodden in the fjord).
* Bodø: Store norske leksikon (snl.no), "Bodø"; Wikipedia (no), "Bodø".
* Asker: snl.no, "Asker" (Drammen and Lier to the west, Bærum to the north-east; Hurum and Røyken since 2020).
* Drammen: lokalhistoriewiki.no, "Drammen kommune" and snl.no, "Nedre Eiker" (Lier, Svelvik, Sande, Hof,
  Nedre Eiker before 2020; Svelvik and Nedre Eiker are Drammen since 2020, Sande and Hof Holmestrand).
* Trondheim: snl.no, "Klæbu" (Trondheim since 2020: Malvik, Selbu, Melhus); Melhus, Skaun and Malvik on land;
  Indre Fosen and Frosta in Trondheimsfjorden (Lovdata FOR-2008-05-02-428, the Malvik–Trondheim–Frosta point).
* Stavanger: snl.no, "Stavanger" (Sandnes, Sola, Randaberg; since 2020 with Rennesøy and Finnøy the islands of
  Boknafjorden inside Kvitsøy and Bokn, among Suldal's, Hjelmeland's and Strand's islands).
The table is both ways (`bordering`); a municipality not listed here as a key is not described by it (see
`geography.near` for what counts as near then)."""

from __future__ import annotations

BORDERS: dict[str, frozenset[str]] = {
    "0301": frozenset({"3201", "3305", "3234", "3232", "3205", "3222", "3220", "3207", "3212"}),  # Oslo
    "5001": frozenset({"5031", "5032", "5028", "5029", "5054", "5036"}),  # Trondheim
    "1103": frozenset({"1108", "1124", "1127", "1130", "1144", "1145", "1133", "1134"}),  # Stavanger
    "1804": frozenset({"1845", "1841", "1840", "1839", "1838", "1848"}),  # Bodø
    "3203": frozenset({"3201", "3312", "3301"}),  # Asker
    "3301": frozenset({"3312", "3314", "3903", "3203"}),  # Drammen
}


def described(municipality: str) -> bool:
    """Whether the table lists every neighbour of this municipality."""
    return municipality in BORDERS


def bordering(a: str, b: str) -> bool:
    return b in BORDERS.get(a, ()) or a in BORDERS.get(b, ())
