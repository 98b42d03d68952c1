"""Stats running for real (a broker, PostgreSQL, its HTTP API): events published as the other services
publish them — shuffled across topics and some twice — projected once; the rebuild from the beginning of
the topics gives exactly the same numbers; the API, exports, reports, CLI and gauges."""

from __future__ import annotations

import asyncio
import io
import json
import random
import sys
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook

from services.stats.adapters.queries import StatsQueries
from services.stats.domain import kostra
from services.stats.service_layer import views
from tests.conftest import eventually, login
from tests.stats import workload
from tests.stats.conftest import inbox_count, publish

pytestmark = pytest.mark.integration

YEAR = 2025
AREAS = [("0301", None), ("0301", "Grünerløkka"), ("0301", "Sagene"), ("5001", None), ("1103", None),
         ("1804", None), ("3203", None)]


async def all_numbers(client, headers) -> dict:
    out = {}
    for municipality, district in AREAS:
        params = {"year": YEAR, "municipality": municipality, **({"district": district} if district else {})}
        r = await client.get("/stats/api/kostra", params=params, headers=headers)
        assert r.status_code == 200, r.text
        out[("kostra", municipality, district)] = r.json()
        for key in views.REPORTS:
            r = await client.get(f"/stats/api/reports/{key}", params=params, headers=headers)
            assert r.status_code == 200, r.text
            out[(key, municipality, district)] = r.json()
    return out


async def test_projection_is_exact_and_a_rebuild_gives_the_same_numbers(stats_only, settings):
    envelopes = workload.events(3000, year=YEAR, seed=7)
    rnd = random.Random(3)
    delivered = envelopes + rnd.sample(envelopes, 300)  # some published twice
    rnd.shuffle(delivered)  # invoices before requisitions, move-outs before placements …
    await publish(settings, delivered)

    async def all_projected():
        return await inbox_count(stats_only) == len(envelopes)
    await eventually(all_projected, within=60)

    async with httpx.AsyncClient(base_url=stats_only.url, timeout=30) as client:
        leader = await login(client, "leder-grunerlokka")
        admin = await login(client, "admin")
        before = await all_numbers(client, leader)

        # The numbers are what the events say.
        oslo = before[("kostra", "0301", None)]
        assert oslo["households"] > 0
        assert oslo["settings"] == {"over_days": 90, "short_days": 14, "young_min_age": 18, "young_max_age": 24,
                                    "child_max_age": 17}
        parts = [before[("kostra", "0301", d)] for d in ("Grünerløkka", "Sagene")]
        for key in kostra.KEYS:
            assert oslo[key] == sum(p[key] for p in parts), key
        decisions = [e.data for e in envelopes if e.type.endswith("decision-made.v1")
                     and e.data.municipality == "5001" and e.data.decided_at.year == YEAR]
        vedtak = before[("vedtak", "5001", None)]
        assert vedtak["rows"][-1] == ["Alle vedtak", len(decisions), len({d.household_id for d in decisions})]
        assert len(decisions) > len({d.household_id for d in decisions})  # extensions: more decisions

        assert (await client.post("/stats/api/rebuild", headers=leader)).status_code == 403
        rebuilt = await client.post("/stats/api/rebuild", headers=admin)
        assert rebuilt.status_code == 200, rebuilt.text
        assert rebuilt.json()["events_replayed"] == len(delivered)
        assert await inbox_count(stats_only) == len(envelopes)
        after = await all_numbers(client, leader)
        assert after == before

        # The live consumer goes on after a rebuild.
        more = workload.events(len(envelopes) + 40, year=YEAR, seed=7)[len(envelopes):]
        await publish(settings, more)

        async def new_ones_projected():
            return await inbox_count(stats_only) == len(envelopes) + len(more)
        await eventually(new_ones_projected, within=30)


async def test_rebuild_keeps_every_projection_row(stats_only, settings):
    """Row for row, not only the reports: the projection tables after a rebuild equal those before."""
    async with httpx.AsyncClient(base_url=stats_only.url, timeout=30) as client:
        r = await client.post("/stats/api/rebuild", headers=await login(client, "drift"))
        assert r.json() == {"events_replayed": 0}  # empty topics: nothing to read, and it ends
    envelopes = workload.events(600, year=YEAR, seed=11)
    rnd = random.Random(5)
    delivered = envelopes + rnd.sample(envelopes, 60)
    rnd.shuffle(delivered)
    await publish(settings, delivered)

    async def all_projected():
        return await inbox_count(stats_only) == len(envelopes)
    await eventually(all_projected, within=60)
    queries = StatsQueries(stats_only.pools["stats"])
    before = await queries.snapshot()
    assert len(before["invoices"]) > 0 and len(before["capacity"]) > 0 and len(before["requisitions"]) > 0
    async with httpx.AsyncClient(base_url=stats_only.url, timeout=30) as client:
        r = await client.post("/stats/api/rebuild", headers=await login(client, "drift"))
        assert r.status_code == 200, r.text
    assert await queries.snapshot() == before


async def test_kostra_api_exports_and_bad_input(stats_only, settings):
    envelopes = workload.events(400, year=YEAR, seed=5)
    await publish(settings, envelopes)

    async def all_projected():
        return await inbox_count(stats_only) == len(envelopes)
    await eventually(all_projected, within=60)
    async with httpx.AsyncClient(base_url=stats_only.url, timeout=30) as client:
        leader = await login(client, "leder-grunerlokka")
        report = (await client.get(f"/stats/api/kostra?year={YEAR}&municipality=0301", headers=leader)).json()
        assert report["households"] > 0

        r = await client.get(f"/stats/api/kostra?year={YEAR}&municipality=0301&format=csv", headers=leader)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        assert "attachment" in r.headers["content-disposition"]
        lines = r.content.decode("utf-8-sig").splitlines()
        assert lines[0] == "Nøkkel;Teller;Husstander"
        csv_values = {line.split(";")[0]: line.split(";")[2] for line in lines[1:] if line}
        for key in kostra.KEYS:
            assert csv_values[key] == str(report[key])
        assert csv_values["settings.over_days"] == "90"

        r = await client.get(f"/stats/api/kostra?year={YEAR}&municipality=0301&format=xlsx", headers=leader)
        sheet = load_workbook(io.BytesIO(r.content)).active
        values = {row[0]: row[2] for row in sheet.iter_rows(values_only=True) if row and row[0]}
        assert {k: values[k] for k in kostra.KEYS} == {k: report[k] for k in kostra.KEYS}
        assert values["settings.short_days"] == 14 and values["year"] == YEAR

        for report_key in views.REPORTS:
            r = await client.get(f"/stats/api/reports/{report_key}?year={YEAR}&municipality=0301&format=xlsx",
                                 headers=leader)
            assert r.status_code == 200, report_key
            assert load_workbook(io.BytesIO(r.content)).active.max_row >= 1

        # Bad input: a 422 that names the field; no token: 401; unknown report: 404.
        for query, field in (("year=1999&municipality=0301", "year"), (f"year={YEAR}&municipality=301", "municipality"),
                             (f"year={YEAR}&municipality=0301&format=pdf", "format"),
                             (f"year={YEAR}&municipality=0301&district=" + "x" * 65, "district")):
            r = await client.get(f"/stats/api/kostra?{query}", headers=leader)
            assert r.status_code == 422, query
            assert r.json()["errors"][0]["loc"] == ["query", field]
        assert (await client.get(f"/stats/api/kostra?year={YEAR}&municipality=0301")).status_code == 401
        assert (await client.get(f"/stats/api/reports/nope?year={YEAR}&municipality=0301",
                                 headers=leader)).status_code == 404

        # The page: the same numbers, the settings beside them; a bad field is named next to it, input kept.
        page = await client.get(f"/stats/?year={YEAR}&municipality=0301", headers=leader)
        assert page.status_code == 200 and f'data-key="households">{report["households"]}<' in page.text
        assert "Innstillinger brukt" in page.text
        page = await client.get("/stats/?year=20x5&municipality=0301", headers=leader)
        assert page.status_code == 422
        assert 'id="year-error"' in page.text and 'value="20x5"' in page.text
        for report_key in views.REPORTS:
            page = await client.get(f"/stats/rapporter/{report_key}?year={YEAR}&municipality=0301", headers=leader)
            assert page.status_code == 200, report_key
        page = await client.get(f"/stats/rapporter/maned?year={YEAR}&municipality=0301", headers=leader)
        assert "<svg" in page.text and "script" not in page.text.split("<main", 1)[1]

        # The CLI: one JSON object with exactly the KOSTRA keys plus year, municipality and district.
        proc = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).parent / "botilbud"), "kostra", "--year", str(YEAR), "--municipality", "0301",
            "--district", "Grünerløkka", "--format", "json", "--address", stats_only.url,
            "--user", "leder-grunerlokka", "--password", "demo",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await proc.communicate()
        assert proc.returncode == 0, err.decode()
        printed = json.loads(out)
        assert set(printed) == {*kostra.KEYS, "year", "municipality", "district"}
        district = (await client.get(f"/stats/api/kostra?year={YEAR}&municipality=0301&district=Grünerløkka",
                                     headers=leader)).json()
        assert printed == {k: district[k] for k in printed}
        assert printed["district"] == "Grünerløkka"

        # Gauges: households in temporary accommodation and occupancy, per municipality.
        async def gauges():
            text = (await client.get("/metrics")).text
            return "botilbud_stats_households_now{" in text and "botilbud_stats_occupancy_ratio{" in text
        await eventually(gauges, within=30)
