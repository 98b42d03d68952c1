""""Today" is the date in Norway, and it comes from kit.clock alone: a server on UTC near midnight must not put a
night, a requisition's end or a report on the day before."""

import re
from datetime import UTC, date, datetime
from pathlib import Path

from kit import clock

ROOT = Path(__file__).resolve().parents[2]
# The date of an instant taken anywhere but kit/clock.py: `datetime.now(UTC).date()` is yesterday in Norway between
# midnight and 01:00 (02:00 in summer). ruff's DTZ rules catch `date.today()` and a naive `datetime.now()`.
# An instant's own `.date()` (by the naming of instants, `received_at`, `s.at`) is UTC's day too.
OWN_TODAY = re.compile(r"\.now\([^)]*\)\s*\.date\(\)|\.utcnow\(\)|astimezone\([^)]*\)\s*\.date\(\)"
                       r"|(?:\bat|_at)\.date\(\)")
ALLOWED = {ROOT / "kit" / "clock.py", ROOT / "pure" / "norway.py", Path(__file__).resolve()}


def test_just_after_midnight_in_norway_it_is_already_tomorrow():
    assert clock.today(datetime(2026, 12, 1, 23, 30, tzinfo=UTC)) == date(2026, 12, 2)  # CET, UTC+1
    assert clock.today(datetime(2026, 12, 1, 22, 59, tzinfo=UTC)) == date(2026, 12, 1)
    assert clock.today(datetime(2026, 7, 1, 22, 30, tzinfo=UTC)) == date(2026, 7, 2)  # CEST, UTC+2
    assert clock.today(datetime(2026, 7, 1, 21, 59, tzinfo=UTC)) == date(2026, 7, 1)


def test_no_code_but_the_clock_takes_the_date_of_an_instant():
    offenders = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
                 for folder in ("botilbud", "kit", "services", "contracts", "pure", "tests", "bench")
                 for path in sorted((ROOT / folder).rglob("*.py")) if path not in ALLOWED
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if OWN_TODAY.search(line)]
    assert not offenders, "take today from kit.clock.today() (a domain: pure.norway.day_in_norway):\n" + \
        "\n".join(offenders)
