"""The municipality's own reports, as plain tables (a title, columns, rows, and which columns to chart).
Pure Python: the same nights rule as KOSTRA (check-in up to the morning of check-out, an open stay or a
move-out still to come up to today; night shelters apart)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from pure.ages import age_on
from services.stats.domain.kostra import KostraRules, StayFacts, last_morning

AGREEMENT_NB = {"framework": "Rammeavtale", "quality": "Kvalitetsavtale", "operating": "Driftsavtale",
                "municipal": "Kommunal", "none": "Uten avtale", None: "Ukjent"}
DESTINATION_NB = {"municipal_rental": "Kommunal utleiebolig", "private_rental": "Privat leie",
                  "own_home": "Egen bolig", "institution": "Institusjon", "other_municipality": "Annen kommune",
                  "other": "Annet", "unknown": "Ukjent", "moved_to_other_provider": "Flyttet til annet botilbud",
                  None: "Ikke registrert"}
MONTHS_NB = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
             "november", "desember")
LENGTH_BUCKETS = ((1, 7, "1–7 døgn"), (8, 14, "8–14 døgn"), (15, 30, "15–30 døgn"), (31, 60, "31–60 døgn"),
                  (61, 90, "61–90 døgn"), (91, 180, "91–180 døgn"), (181, 366, "Over 180 døgn"))


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple] = field(default_factory=list)
    chart: tuple[int, ...] = ()
    """Columns drawn as bars (the first column labels them); empty = no chart."""
    note: str = ""


def _span(stay: StayFacts, start: date, end: date, today: date) -> tuple[date, date] | None:
    last = min(last_morning(stay, today), end)
    first = max(stay.check_in, start)
    return (first, last) if last > first else None


def _merge(spans: Iterable[tuple[date, date]]) -> list[tuple[date, date]]:
    merged: list[list[date]] = []
    for first, end in sorted(spans):
        if merged and first <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([first, end])
    return [(a, b) for a, b in merged]


def _nights(spans: Iterable[tuple[date, date]]) -> int:
    return sum((b - a).days for a, b in _merge(spans))


def _by_household(stays: Iterable[StayFacts], start: date, end: date, today: date,
                  accommodation: str = "temporary") -> dict[object, list[tuple[date, date, StayFacts]]]:
    out: dict[object, list[tuple[date, date, StayFacts]]] = {}
    for stay in stays:
        if stay.accommodation != accommodation:
            continue
        span = _span(stay, start, end, today)
        if span:
            out.setdefault(stay.household_id, []).append((*span, stay))
    return out


def monthly(stays: Sequence[StayFacts], year: int, today: date, rules: KostraRules) -> Table:
    """Households, persons (adults, children) and nights in temporary accommodation per month."""
    rows = []
    for month in range(1, 13):
        start = date(year, month, 1)
        end = date(year + (month == 12), month % 12 + 1, 1)
        households = _by_household(stays, start, end, today)
        adults = children = nights = person_nights = 0
        for counted in households.values():
            first, _, stay = min(counted, key=lambda c: (c[0], c[2].check_in))
            kids = {b for _, _, s in counted for b in s.children_birth_dates
                    if b <= first and age_on(b, first) <= rules.child_max_age}
            n = _nights((a, b) for a, b, _ in counted)
            adults += stay.adults
            children += len(kids)
            nights += n
            person_nights += n * (stay.adults + len(kids))
        rows.append((f"{MONTHS_NB[month - 1]} {year}", len(households), adults, children, adults + children, nights,
                     person_nights))
    return Table("maned", "Personer og døgn per måned",
                 ("Måned", "Husstander", "Voksne", "Barn", "Personer", "Husstandsdøgn", "Persondøgn"), rows,
                 chart=(1, 4), note="Midlertidig botilbud, ikke natthjem. Barn: under 18 år første døgn i måneden.")


def agreements(stays: Sequence[StayFacts], year: int, today: date) -> Table:
    """Stays, households and nights in the year by kind of agreement; stays outside agreements apart."""
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    groups: dict[str | None, dict] = {}
    for stay in stays:
        if stay.accommodation != "temporary":
            continue
        span = _span(stay, start, end, today)
        if not span:
            continue
        g = groups.setdefault(stay.agreement_kind, {"stays": 0, "households": set(), "nights": 0, "justified": 0})
        g["stays"] += 1
        g["households"].add(stay.household_id)
        g["nights"] += (span[1] - span[0]).days
        g["justified"] += stay.justified
    order = ["framework", "quality", "operating", "municipal", "none"]
    keys = sorted(groups, key=lambda k: order.index(k) if k in order else len(order))
    rows = [(AGREEMENT_NB.get(k, k), "Nei" if k == "none" else "Ja", groups[k]["stays"], len(groups[k]["households"]),
             groups[k]["nights"], groups[k]["justified"]) for k in keys]
    return Table("avtaler", "Opphold innenfor og utenfor avtale",
                 ("Avtale", "Innenfor avtale", "Opphold", "Husstander", "Døgn", "Med begrunnelse"), rows, chart=(4,))


def length_of_stay(stays: Sequence[StayFacts], year: int, today: date) -> Table:
    """Households by their nights in temporary accommodation in the year."""
    households = _by_household(stays, date(year, 1, 1), date(year + 1, 1, 1), today)
    counts = [0] * len(LENGTH_BUCKETS)
    for counted in households.values():
        n = _nights((a, b) for a, b, _ in counted)
        for i, (low, high, _) in enumerate(LENGTH_BUCKETS):
            if low <= n <= high:
                counts[i] += 1
    rows = [(label, counts[i]) for i, (_, _, label) in enumerate(LENGTH_BUCKETS)]
    return Table("botid", "Botid i året", ("Døgn i året", "Husstander"), rows, chart=(1,),
                 note="Alle opphold i midlertidig botilbud i året, samlet per husstand.")


def _current_runs(stays: Sequence[StayFacts], today: date) -> dict[object, tuple[date, list[StayFacts]]]:
    """For each household in temporary accommodation tonight: the start of its unbroken run of stays
    (a move between providers does not break it), and its stays."""
    per: dict[object, list[StayFacts]] = {}
    for stay in stays:
        if stay.accommodation == "temporary" and stay.check_in <= today:
            per.setdefault(stay.household_id, []).append(stay)
    runs = {}
    for household, own in per.items():
        if not any(s.check_out is None or s.check_out > today for s in own):
            continue
        tonight_over = today + timedelta(days=1)  # a stay still open, or moving out later, reaches past tonight
        merged = _merge((s.check_in, min(s.check_out or tonight_over, tonight_over)) for s in own)
        runs[household] = (merged[-1][0], own)
    return runs


def three_months_now(stays: Sequence[StayFacts], today: date, rules: KostraRules, warn_days: int = 14) -> Table:
    """Households now in temporary accommodation that are near or past the three-month limit."""
    rows = []
    for household, (since, own) in _current_runs(stays, today).items():
        nights = (today - since).days
        if nights <= rules.over_days - warn_days:
            continue
        latest = max(own, key=lambda s: s.check_in)
        children = any(age_on(b, today) <= rules.child_max_age for b in latest.children_birth_dates if b <= today)
        young = rules.young_min_age <= age_on(latest.applicant_birth_date, today) <= rules.young_max_age
        status = "Over 3 måneder" if nights > rules.over_days else "Nærmer seg 3 måneder"
        rows.append((latest.office_id or "", str(household)[:8], since.isoformat(), nights,
                     "Ja" if children else "Nei", "Ja" if young else "Nei", latest.provider_name or "", status))
    rows.sort(key=lambda r: (-r[3], r[1]))
    return Table("tre-maneder", "Husstander nær eller over tre måneder nå",
                 ("Kontor", "Husstand", "Inn siden", "Døgn", "Barn", "Ung (18–24)", "Tilbyder", "Status"), rows,
                 note=f"Nærmer seg: mer enn {rules.over_days - warn_days} døgn; over: mer enn {rules.over_days} døgn "
                      "sammenhengende (flytting mellom tilbydere bryter ikke oppholdet).")


def families_and_young_now(stays: Sequence[StayFacts], today: date, rules: KostraRules) -> Table:
    """Per office: households in temporary accommodation tonight, with children, and young applicants."""
    per_office: dict[str, list[int]] = {}
    for _, (_, own) in _current_runs(stays, today).items():
        latest = max(own, key=lambda s: s.check_in)
        row = per_office.setdefault(latest.office_id or "", [0, 0, 0, 0])
        kids = [b for b in latest.children_birth_dates if b <= today and age_on(b, today) <= rules.child_max_age]
        row[0] += 1
        row[1] += bool(kids)
        row[2] += len(kids)
        row[3] += rules.young_min_age <= age_on(latest.applicant_birth_date, today) <= rules.young_max_age
    rows = [(office, *vals) for office, vals in sorted(per_office.items())]
    return Table("familier-unge", "Barnefamilier og unge i midlertidig botilbud nå",
                 ("Kontor", "Husstander", "Med barn", "Barn", "Unge (18–24)"), rows, chart=(2, 4))


def exits(rows: Sequence[tuple[str | None, int, int]]) -> Table:
    return Table("utflytting", "Utflytting etter hvor de flyttet",
                 ("Flyttet til", "Opphold", "Husstander"),
                 [(DESTINATION_NB.get(d, d), n, h) for d, n, h in rows], chart=(1,))


def decisions(rows: Sequence[tuple[str | None, int, int]]) -> Table:
    names = {"granted": "Innvilget", "refused": "Avslag", None: "Alle vedtak"}
    return Table("vedtak", "Vedtak og ulike husstander", ("Utfall", "Vedtak", "Ulike husstander"),
                 [(names.get(o, o), n, h) for o, n, h in rows], chart=(1, 2),
                 note="En husstand kan få flere vedtak (forlengelser, nye søknader).")


def occupancy(rows: Sequence[tuple[str, str, str, int, int, int]]) -> Table:
    out = [(name, AGREEMENT_NB.get(kind, kind), "Natthjem" if acc == "night_shelter" else "Midlertidig",
            units, beds, occupied, max(beds - occupied, 0)) for name, kind, acc, units, beds, occupied in rows]
    return Table("belegg", "Belegg og ledige plasser per tilbyder nå",
                 ("Tilbyder", "Avtale", "Type", "Enheter", "Plasser", "Opptatt", "Ledige"), out, chart=(5, 6))


def spend(rows: Sequence[tuple[str, str, int, object]]) -> Table:
    return Table("kostnader", "Godkjente utgifter per tilbyder",
                 ("Tilbyder", "Avtale", "Fakturaer", "Beløp (kr)"),
                 [(name, AGREEMENT_NB.get(kind, kind), n, amount) for name, kind, n, amount in rows], chart=(3,),
                 note="Fakturaer godkjent av økonomi i året.")
