"""`botilbud providers import` (../shared/formats/providers-import.md) against the real stack: a dry run lists
every problem of a file at once — each with its line and column — and writes nothing; a good file registers its
providers and units through the page's use cases, so their events reach billing; the same file again changes
nothing; a changed price is one change of one provider, billing told of it."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx
import pytest

from tests.conftest import eventually, login
from tests.imports.test_import_through_the_stack import botilbud, providers_loaded, scalar

pytestmark = [pytest.mark.e2e, pytest.mark.integration]
HEADER = ("provider,provider_orgnr,provider_kind,municipality,district,provider_address,provider_email,accommodation,"
          "agreement,price_per_night_nok,fixed_places,agreement_valid_from,agreement_valid_to,target_groups,"
          "sex_limit,min_age,max_age,substance_free,unit,unit_address,beds,own_bath,kitchen,laundry,visits_allowed")
FJORDHEIM = ('Fjordheim bosenter,923609024,non_profit,1103,,"Fjordveien 2, 4085 Hundvåg",post@fjordheim.no,'
             "temporary,framework,{price},1,2026-01-01,2027-12-31,singles_couples,,,,no,{unit},,{beds},yes,shared,"
             "yes,yes")
MADLA = ('Madla hybelhus,923609032,private,1103,,"Madlaveien 5, 4042 Hafrsfjord",,temporary,none,,,,,,,,,,'
         "Hybel A,,1,yes,own,no,yes")


def providers_file(price: str = "750") -> str:
    return "\n".join([HEADER, FJORDHEIM.format(price=price, unit="Rom 1", beds=1),
                      FJORDHEIM.format(price=price, unit="Rom 2", beds=2), MADLA]) + "\n"


BAD = "\n".join([
    HEADER,
    FJORDHEIM.format(price="750", unit="Rom 1", beds=1).replace("923609024", "923609025"),  # check digit
    FJORDHEIM.format(price="750", unit="Rom 2", beds=2).replace("2026-01-01", "2026-13-01"),  # no such date
    MADLA.replace(",1103,", ",110,"),  # not a kommunenummer
    MADLA.replace("Hybel A,,1,", "Hybel B,,0,"),  # no beds
    MADLA.replace("Hybel A", "Hybel C").replace(",1103,,", ",1103,Grünerløkka,"),  # a district outside Oslo
]) + "\n"


async def test_a_dry_run_lists_every_problem_at_once_and_the_file_goes_in_through_the_use_cases(stack, settings,
                                                                                                  tmp_path):
    placement_db, billing_db = settings.placement_database_url, settings.billing_database_url
    async with httpx.AsyncClient(base_url=stack.url, timeout=60) as client:
        await providers_loaded(client, await login(client, "admin"))
    bad, good = tmp_path / "bad.csv", tmp_path / "providers.csv"
    bad.write_text(BAD, encoding="utf-8")
    good.write_text(providers_file(), encoding="utf-8")
    ours = "SELECT count(*) FROM providers WHERE orgnr IN ('923609024', '923609032')"

    refused = await botilbud(stack, "providers", "import", str(bad), "--dry-run", user="admin")
    assert refused.exit_code == 1, refused.output
    assert "Filen ble avvist: 5 feil. Ingenting er lagret." in refused.output
    listed = [line.strip() for line in refused.output.splitlines() if line.strip().startswith("linje ")]
    assert [line.split(":")[0] for line in listed] == [
        "linje 2 (provider_orgnr)", "linje 3 (agreement_valid_from)", "linje 4 (municipality)", "linje 5 (beds)",
        "linje 6 (district)"]
    assert "gyldig organisasjonsnummer" in listed[0] and "ÅÅÅÅ-MM-DD" in listed[1] and "fire siffer" in listed[2]
    as_json = json.loads((await botilbud(stack, "providers", "import", str(bad), "--format", "json",
                                         user="admin")).stdout)
    assert (as_json["rejected_count"], as_json["written"]) == (5, False)
    assert await scalar(placement_db, ours) == 0

    checked = json.loads((await botilbud(stack, "providers", "import", str(good), "--dry-run", "--format", "json",
                                         user="admin")).stdout)
    assert (checked["providers_registered"], checked["units_registered"], checked["written"]) == (2, 3, False)
    assert await scalar(placement_db, ours) == 0

    imported = await botilbud(stack, "providers", "import", str(good), user="admin")
    assert imported.exit_code == 0, imported.output
    assert "3 rader: 2 nye tilbydere, 0 endret, 0 uendret; 3 nye enheter, 0 endret, 0 uendret." in imported.stdout
    assert await scalar(placement_db, ours) == 2
    assert await scalar(placement_db, "SELECT count(*) FROM units u JOIN providers p ON p.id = u.provider_id "
                                      "WHERE p.orgnr IN ('923609024', '923609032')") == 3

    async def billing_knows(price: Decimal):
        return await scalar(billing_db, "SELECT price_per_night FROM providers WHERE orgnr = '923609024'") == price
    await eventually(lambda: billing_knows(Decimal("750.00")))

    again = json.loads((await botilbud(stack, "providers", "import", str(good), "--format", "json",
                                       user="admin")).stdout)
    assert (again["providers_unchanged"], again["units_unchanged"], again["written"]) == (2, 3, False)

    good.write_text(providers_file(price="790"), encoding="utf-8")
    changed = json.loads((await botilbud(stack, "providers", "import", str(good), "--format", "json",
                                         user="admin")).stdout)
    assert (changed["providers_changed"], changed["providers_unchanged"], changed["units_changed"]) == (1, 1, 0)
    [change] = [c for c in changed["changes"] if c["action"] == "change_provider"]
    assert (change["orgnr"], change["columns"]) == ("923609024", ["price_per_night_nok"])
    await eventually(lambda: billing_knows(Decimal("790.00")))
