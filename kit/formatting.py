"""What people read on pages, in Norwegian bokmål through Babel's `nb_NO`: dates as 05.03.2026, money as
"1 650,00 kr", numbers with decimal commas, singular and plural ("1 voksen", "2 voksne"), and labels for the
codes the services keep (`singles_couples` → "Enslige og par"). Every template has them as filters (kit/templating.py):
`{{ stay.check_in|date }}`, `{{ amount|money }}`, `{{ adults|plural("voksen", "voksne") }}`, `{{ code|label }}`.

Babel puts a no-break space between thousands and before "kr", so a number never breaks over two lines."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal

from pure.norway import NORWAY, day_in_norway

LOCALE = Locale.parse("nb_NO")
EMPTY = "–"
"""What an absent value shows as."""

LABELS_NB = {
    # target groups of an agreement or unit (placement)
    "substance_use_low_boevne": "Rus og lav boevne", "substance_use": "Rus", "singles_couples": "Enslige og par",
    "families": "Barnefamilier", "young": "Unge",
    # inspections (placement)
    "approved": "Godkjent", "remarks": "Merknader", "failed": "Ikke godkjent",
}
"""Norwegian labels of the codes that several pages show; a service passes its own table for the rest
(`{{ f.code|label(finding_nb) }}`)."""


def date_nb(value: date | datetime | str | None) -> str:
    """05.03.2026 (a time is shown as its date in Norway; an ISO string is read first)."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        value = day_in_norway(value) if value.tzinfo else value.date()
    return format_date(value, "dd.MM.yyyy", locale=LOCALE)


def datetime_nb(value: datetime | None) -> str:
    """05.03.2026 14:03, in Norway's time."""
    if value is None:
        return EMPTY
    moment = value.astimezone(NORWAY) if value.tzinfo else value
    return format_datetime(moment, "dd.MM.yyyy HH:mm", locale=LOCALE)


def money_nb(value: Decimal | float | int | None) -> str:
    """1 650,00 kr: always two decimals."""
    if value is None:
        return EMPTY
    return format_currency(Decimal(str(value)), "NOK", format="#,##0.00\xa0¤", currency_digits=False,
                           locale=LOCALE)


def number_nb(value: Decimal | float | int | None, decimals: int | None = None) -> str:
    """12 345,5 (a decimal comma); `decimals` fixes how many decimals show."""
    if value is None:
        return EMPTY
    if decimals is None:
        return format_decimal(value, locale=LOCALE)
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALE, decimal_quantization=True)


def plural_nb(count: int, one: str, other: str) -> str:
    """"1 voksen", "2 voksne", "0 senger": the word by Norwegian's plural rule, after the number."""
    word = one if LOCALE.plural_form(abs(count)) == "one" else other
    return f"{number_nb(count)} {word}"


def label_nb(code: str | None, labels: dict[str, str] | None = None) -> str:
    """The Norwegian label of a code (`labels` first, then the kit's table); a code without one shows as is."""
    if code is None or code == "":
        return EMPTY
    return (labels or {}).get(code) or LABELS_NB.get(code, code)


def labels_nb(codes, labels: dict[str, str] | None = None) -> str:
    """Several codes' labels, comma-separated: "Enslige og par, Barnefamilier"."""
    return ", ".join(label_nb(c, labels) for c in codes or ())


TYPED_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
BROWSER_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def read_date_nb(text: str) -> date:
    """A date as people type it (05.03.2026, 5.3.2026) or as the browser's date field sends it (2026-03-05);
    ValueError for anything else. Each service says what is wrong in its own error, next to its field."""
    text = text.strip()
    if m := TYPED_DATE.fullmatch(text):
        return date(int(m[3]), int(m[2]), int(m[1]))
    if BROWSER_DATE.fullmatch(text):
        return date.fromisoformat(text)
    raise ValueError(f"not a date: {text[:20]!r}")


def cell_nb(value) -> str:
    """A table cell of any kind: a date or time as above, a whole number as 12 345, any other number with two
    decimals (12 345,50), yes/no in Norwegian, text as it is."""
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, datetime):
        return datetime_nb(value)
    if isinstance(value, date):
        return date_nb(value)
    if isinstance(value, int):
        return number_nb(value)
    if isinstance(value, Decimal | float):
        return number_nb(value, 2)
    return EMPTY if value is None else str(value)


FILTERS = {"date": date_nb, "datetime": datetime_nb, "money": money_nb, "number": number_nb, "plural": plural_nb,
           "label": label_nb, "labels": labels_nb, "cell": cell_nb}
"""The Jinja filters every template has."""
