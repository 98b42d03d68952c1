"""A municipality's first day (issue 14): from an empty start — no office, provider, household or demo user, only
the first administrator with the password the system made — Bergen's three files go in through the command
line in the runbook's order (docs/operations.md, "A municipality goes live"): its Nav offices, its providers
with their agreements and units, its stay history. Then `botilbud kostra` gives Bergen's counters exactly as
BRIEF §5 defines them, computed here by hand from the stay file's rows, and `botilbud verify` holds.

Bergen (4601) is not in the demo data, and nothing is registered by hand first. The history is tried once too
early, as someone new to the system would: before the offices, then before the providers; each unknown office
or provider is named once, with the rows that name it, and nothing is written. The administrator checks the
offices and providers files with a dry run before importing them. The Nav offices are Bergen's own; the
providers, their addresses and organisation numbers (mod-11 valid) are made up for the test."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from botilbud.cli import app
from botilbud.stack import ADMIN_PASSWORD_FILE, definitions, first_administrator
from botilbud.verify import operator_token, verify_until
from kit import clock
from kit.auth import UserDirectory
from kit.runtime import Runtime
from tests.conftest import eventually
from tests.imports.test_import_through_the_stack import scalar

pytestmark = [pytest.mark.e2e, pytest.mark.integration]
BERGEN = "4601"

OFFICES = """\
office,municipality,district,second_approval,address,phone,email
Nav Bergenhus,4601,,no,,55553333,
Nav Årstad,4601,,no,,55553333,
"""

PROVIDERS = """\
provider,provider_orgnr,provider_kind,municipality,district,provider_address,provider_email,accommodation,\
agreement,price_per_night_nok,fixed_places,agreement_valid_from,agreement_valid_to,target_groups,sex_limit,\
min_age,max_age,substance_free,unit,unit_address,beds,own_bath,kitchen,laundry,visits_allowed
Nygårdshøyden bosenter,923700005,non_profit,4601,,"Nygårdsgaten 1, 5015 Bergen",post@nygardshoyden.example,\
temporary,framework,850,0,2024-01-01,2027-12-31,singles_couples;families,,,,no,Rom 1,,1,yes,shared,yes,yes
Nygårdshøyden bosenter,923700005,non_profit,4601,,"Nygårdsgaten 1, 5015 Bergen",post@nygardshoyden.example,\
temporary,framework,850,0,2024-01-01,2027-12-31,singles_couples;families,,,,no,Rom 2,,2,yes,shared,yes,yes
Nygårdshøyden bosenter,923700005,non_profit,4601,,"Nygårdsgaten 1, 5015 Bergen",post@nygardshoyden.example,\
temporary,framework,850,0,2024-01-01,2027-12-31,singles_couples;families,,,,no,Leilighet 3,,4,yes,own,yes,yes
Sandviken hybelhus,923700013,private,4601,,"Sandviksveien 10, 5035 Bergen",,temporary,quality,720,0,\
2024-01-01,2027-12-31,singles_couples;young,,,,no,Hybel A,,1,yes,own,yes,yes
Sandviken hybelhus,923700013,private,4601,,"Sandviksveien 10, 5035 Bergen",,temporary,quality,720,0,\
2024-01-01,2027-12-31,singles_couples;young,,,,no,Hybel B,,2,yes,own,yes,yes
Strandkaien natthjem,923700021,non_profit,4601,,"Strandkaien 2, 5013 Bergen",,night_shelter,operating,,0,\
2024-01-01,,,,,,no,Sovesal,,12,no,none,no,no
"""

# Two reporting years' worth of Bergen's history, with the edges BRIEF §5 names: a stay across New Year, exactly
# 14 and 15 nights, exactly 90 and more than 90 nights (one household's two stays together), a child turned 18
# before the first night, applicants aged 18 and 24, night shelter alone and beside temporary accommodation,
# two ongoing stays (a family, a young mother), and a stay wholly in 2024.
STAYS = """\
household_ref,municipality,district,office,applicant_birth_date,children_birth_dates,provider,provider_orgnr,\
accommodation,agreement,check_in,check_out,move_out_reason,nightly_price_nok
BH-1,4601,,Nav Bergenhus,1980-05-05,,Nygårdshøyden bosenter,,temporary,framework,2024-12-10,2025-01-20,\
private_rental,850
BH-2,4601,,Nav Bergenhus,1975-02-02,,Nygårdshøyden bosenter,,temporary,framework,2025-02-01,2025-02-15,\
municipal_rental,850
BH-3,4601,,Nav Bergenhus,1990-03-03,,Sandviken hybelhus,,temporary,quality,2025-03-01,2025-03-16,unknown,720
BH-4,4601,,Nav Bergenhus,2000-06-01,,Sandviken hybelhus,,temporary,quality,2025-03-01,2025-06-01,private_rental,720
BH-5,4601,,Nav Bergenhus,2006-11-20,,Nygårdshøyden bosenter,,temporary,framework,2025-04-10,2025-05-10,other,850
BH-6,4601,,Nav Bergenhus,1985-01-01,2010-02-02;2007-01-01,Nygårdshøyden bosenter,,temporary,framework,\
2025-06-01,,,850
BH-7,4601,,Nav Bergenhus,1992-12-12,2015-05-05,Nygårdshøyden bosenter,,temporary,framework,2025-09-01,2025-09-20,\
municipal_rental,850
AR-1,4601,,Nav Årstad,1970-07-07,2007-01-01,Nygårdshøyden bosenter,,temporary,framework,2025-03-01,2025-05-30,\
private_rental,850
AR-2,4601,,Nav Årstad,1988-08-08,,Sandviken hybelhus,,temporary,quality,2025-01-05,2025-01-15,other,720
AR-2,4601,,Nav Årstad,1988-08-08,,Nygårdshøyden bosenter,,temporary,framework,2025-08-01,2025-10-25,\
institution,850
AR-3,4601,,Nav Årstad,1995-09-09,,Strandkaien natthjem,923700021,night_shelter,operating,2025-02-10,2025-02-12,\
other,
AR-3,4601,,Nav Årstad,1995-09-09,,Sandviken hybelhus,,temporary,quality,2025-02-12,2025-02-20,\
other_municipality,720
AR-4,4601,,Nav Årstad,1960-10-10,,Strandkaien natthjem,923700021,night_shelter,operating,2025-11-01,2025-11-03,\
unknown,
AR-5,4601,,Nav Årstad,2003-01-15,2024-05-05,Sandviken hybelhus,,temporary,quality,2025-12-01,,,720
AR-6,4601,,Nav Årstad,1979-04-04,,Sandviken hybelhus,,temporary,quality,2024-03-01,2024-04-01,private_rental,720
"""
KOSTRA_KEYS = ("households", "households_over_3_months", "households_14_days_or_less", "households_with_children",
               "households_with_children_over_3_months", "young_households", "young_households_over_3_months",
               "night_shelter_households")


# --- the counters by hand: BRIEF §5 read plainly over the file's rows --------------------------------------------

def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def nights(row: dict, year: int, today: date) -> set[date]:
    """The nights of a row's stay inside the year: check-in up to the night before check-out (an open stay: up
    to last night)."""
    first = date.fromisoformat(row["check_in"])
    morning = min(date.fromisoformat(row["check_out"]), today) if row["check_out"] else today
    return {first + timedelta(days=n) for n in range((morning - first).days)
            if (first + timedelta(days=n)).year == year}


def kostra_by_hand(stay_file: str, municipality: str, year: int, today: date) -> dict[str, int]:
    temporary: dict[tuple[str, str], list[tuple[set[date], dict]]] = {}
    sheltered: set[tuple[str, str]] = set()
    for row in csv.DictReader(io.StringIO(stay_file)):
        household = (row["office"], row["household_ref"])  # a reference is the office's own
        counted = nights(row, year, today)
        if row["municipality"] != municipality or not counted:
            continue
        if row["accommodation"] == "night_shelter":
            sheltered.add(household)
        else:
            temporary.setdefault(household, []).append((counted, row))
    out = dict.fromkeys(KOSTRA_KEYS, 0)
    out["night_shelter_households"] = len(sheltered)
    for stays in temporary.values():
        every_night = set().union(*(n for n, _ in stays))
        first = min(every_night)
        applicant = date.fromisoformat(next(row for n, row in stays if first in n)["applicant_birth_date"])
        children = [date.fromisoformat(c) for _, row in stays for c in row["children_birth_dates"].split(";") if c]
        over = len(every_night) > 90
        with_children = any(age_on(c, first) < 18 for c in children)
        young = 18 <= age_on(applicant, first) <= 24
        out["households"] += 1
        out["households_over_3_months"] += over
        out["households_14_days_or_less"] += len(every_night) <= 14
        out["households_with_children"] += with_children
        out["households_with_children_over_3_months"] += with_children and over
        out["young_households"] += young
        out["young_households_over_3_months"] += young and over
    return out


# --- an empty system, as a municipality starts it ---------------------------------------------------------------

@pytest.fixture
def empty_settings(settings):
    """The harness's databases and broker, with production's defaults: no demo data, no synthetic identity
    numbers, and a users file the system makes itself with its first administrator only."""
    settings.home.mkdir(parents=True, exist_ok=True)
    empty = settings.model_copy(update={"demo_data": False, "allow_synthetic_ids": False,
                                        "users_file": settings.home / "users.json"})
    assert first_administrator(empty) is not None
    return empty


@pytest.fixture
async def empty_stack(empty_settings) -> AsyncIterator[Runtime]:
    runtime = Runtime(empty_settings, definitions("all"), bootstrap=empty_settings.kafka_bootstrap,
                      users=UserDirectory.load(empty_settings.users_file),
                      secret=empty_settings.secret_key.get_secret_value())
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.stop()


async def botilbud(url: str, password: str, *args: str):
    """A `botilbud` command as the administrator runs it against the running system."""
    env = {"BOTILBUD_USER": "admin", "BOTILBUD_PASSWORD": password}
    return await asyncio.to_thread(CliRunner().invoke, app, [*args, "--address", url], env=env)


def listed(output: str) -> list[str]:
    """The command's lines about rows of the file."""
    return [line.strip() for line in output.splitlines() if line.strip().startswith("linje ")]


def lines_naming(name: str) -> str:
    """The stay file's line numbers (the header is line 1) of the rows that name an office or provider."""
    return ", ".join(str(number) for number, line in enumerate(STAYS.splitlines(), start=1) if f",{name}," in line)


async def test_bergens_three_files_give_its_kostra_counters_from_an_empty_start(empty_stack, empty_settings,
                                                                                tmp_path: Path):
    url = empty_stack.url
    password = (empty_settings.home / ADMIN_PASSWORD_FILE).read_text().strip()
    files = {name: tmp_path / f"{name}.csv" for name in ("offices", "providers", "stays")}
    for name, text in (("offices", OFFICES), ("providers", PROVIDERS), ("stays", STAYS)):
        files[name].write_text(text, encoding="utf-8")
    rows = len(STAYS.splitlines()) - 1

    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        token = await client.post("/api/token", data={"username": "admin", "password": password})
        assert token.status_code == 200, token.text
        admin = {"Authorization": f"Bearer {token.json()['access_token']}"}
        refused = await client.post("/api/token", data={"username": "veileder-grunerlokka", "password": "demo"})
        assert refused.status_code == 401  # no demo users
        assert (await client.get("/intake/api/offices", headers=admin)).json() == []
        assert (await client.get("/placement/api/providers", headers=admin)).json()["items"] == []

        # The history too early: no office is known, so each is named once, with the lines naming it.
        early = await botilbud(url, password, "import-stays", str(files["stays"]))
        assert early.exit_code == 1, early.output
        assert f"Filen ble avvist: {rows} ugyldige rader. Ingenting er lagret." in early.output
        named = listed(early.output)
        assert [line.split(". ", 1)[0] for line in named] == [
            f"linje {lines_naming('Nav Bergenhus')}: ukjent Nav-kontor «Nav Bergenhus» (7 rader)",
            f"linje {lines_naming('Nav Årstad')}: ukjent Nav-kontor «Nav Årstad» (8 rader)"]
        assert all("administrator" in line for line in named)  # what to do

        # Offices: the administrator's dry run says what would happen and writes nothing; then the import.
        checked = await botilbud(url, password, "offices", "import", str(files["offices"]), "--dry-run")
        assert checked.exit_code == 0, checked.output
        assert "2 rader: 2 nye kontorer, 0 endret, 0 uendret, 0 avvist. Ingenting er lagret." in checked.output
        assert listed(checked.output) == ["linje 2: Nav Bergenhus (nav-bergenhus) registreres",
                                          "linje 3: Nav Årstad (nav-arstad) registreres"]
        assert (await client.get("/intake/api/offices", headers=admin)).json() == []
        imported = await botilbud(url, password, "offices", "import", str(files["offices"]))
        assert imported.exit_code == 0, imported.output
        offices = (await client.get("/intake/api/offices", headers=admin)).json()
        assert sorted((o["office_id"], o["municipality_name"]) for o in offices) == [("nav-arstad", "Bergen"),
                                                                                     ("nav-bergenhus", "Bergen")]

        # The history again, before the providers: now each unknown provider is named once (by the org number
        # where the rows give one), once placement has learnt the offices from intake's events.
        async def providers_named() -> list[str] | None:
            again = await botilbud(url, password, "import-stays", str(files["stays"]))
            assert again.exit_code == 1, again.output
            assert "Ingenting er lagret." in again.output
            named = listed(again.output)
            return None if any("Nav-kontor" in line for line in named) else named
        named = await eventually(providers_named, within=60, interval=1)
        assert [line.split(". ", 1)[0] for line in named] == [
            f"linje {lines_naming('Nygårdshøyden bosenter')}: ukjent tilbyder «Nygårdshøyden bosenter» (7 rader)",
            f"linje {lines_naming('Sandviken hybelhus')}: ukjent tilbyder «Sandviken hybelhus» (6 rader)",
            f"linje {lines_naming('Strandkaien natthjem')}: ingen registrert tilbyder har organisasjonsnummeret "
            "«923700021» (2 rader)"]
        assert await scalar(empty_settings.placement_database_url, "SELECT count(*) FROM stays") == 0

        # Providers: the dry run, then the import.
        dry = json.loads((await botilbud(url, password, "providers", "import", str(files["providers"]), "--dry-run",
                                         "--format", "json")).stdout)
        assert (dry["providers_registered"], dry["units_registered"], dry["rejected_count"], dry["written"]) == (
            3, 6, 0, False)
        assert (await client.get("/placement/api/providers", headers=admin)).json()["items"] == []
        done = await botilbud(url, password, "providers", "import", str(files["providers"]))
        assert done.exit_code == 0, done.output
        assert "6 rader: 3 nye tilbydere, 0 endret, 0 uendret; 6 nye enheter, 0 endret, 0 uendret." in done.stdout

        # The history: every row goes in.
        history = await botilbud(url, password, "import-stays", str(files["stays"]))
        assert history.exit_code == 0, history.output
        assert f"{rows} rader: {rows} nye opphold, 0 var importert fra før, 0 avvist." in history.stdout
        assert f"Importert {rows} av {rows} nye opphold (100 %)." in history.output

    # Bergen's counters, as the administrator reads them with `botilbud kostra`, against the hand count.
    today = clock.today()
    for year in (2024, 2025):
        want = kostra_by_hand(STAYS, BERGEN, year, today)

        async def counted(year=year, want=want):
            shown = json.loads((await botilbud(url, password, "kostra", "--year", str(year), "--municipality",
                                               BERGEN)).stdout)
            return shown if {k: shown[k] for k in KOSTRA_KEYS} == want else None
        assert await eventually(counted, within=60, interval=1), (year, want)
    # The same count done on paper from the rows (the file is made to exercise every counter and its edges).
    assert kostra_by_hand(STAYS, BERGEN, 2025, today) == {
        "households": 11, "households_over_3_months": 3, "households_14_days_or_less": 2,
        "households_with_children": 3, "households_with_children_over_3_months": 1, "young_households": 3,
        "young_households_over_3_months": 1, "night_shelter_households": 2}

    # And the invariants hold: every import's state change has its event and every event its effect.
    report = await verify_until(empty_settings, 120, address=url, token=operator_token(empty_settings))
    assert report.ok, report
