"""The weekly report through the stack: a household placed (through intake and placement's APIs) on the
Wednesday of last week shows in last week's report — its office's row, and its unit's beds taken from that
night — and the CSV and XLSX say the same as the JSON."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import httpx
import pytest
from openpyxl import load_workbook

from kit import clock
from tests.conftest import eventually, granted_decision, login

pytestmark = [pytest.mark.e2e, pytest.mark.integration]
OFFICE = "Nav Bodø"


def office_row(report: dict) -> dict:
    return next((o for o in report["offices"] if o["office"] == OFFICE),
                {"households": 0, "nights": 0, "staying_at_end": 0, "by_length": {"0–7 døgn": 0}})


async def test_last_weeks_report_counts_a_stay_begun_in_it_in_every_format(stack):
    today = clock.today()
    monday = today - timedelta(days=today.weekday() + 7)
    iso = monday.isocalendar()
    check_in = monday + timedelta(days=2)  # Wednesday: nights Wednesday to Sunday, 5, in the week
    params = {"municipality": "1804", "year": iso.year, "week": iso.week}
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        leader = await login(client, "leder-bodo")

        async def report(**extra):
            r = await client.get("/stats/api/reports/uke", params={**params, **extra}, headers=leader)
            assert r.status_code == 200, r.text
            return r
        before = (await report()).json()
        assert before["monday"] == str(monday) and before["counted_to"] == str(monday + timedelta(days=7))

        worker, decision_id = await granted_decision(client, period_from=check_in,
                                                     period_to=today + timedelta(days=30), office="nav-bodo")
        unit = (await client.get(f"/placement/api/decisions/{decision_id}/matches",
                                 headers=worker)).json()["fits"][0]
        placed = await client.post("/placement/api/stays", headers=worker, json={
            "decision_id": decision_id, "unit_id": unit["unit_id"], "check_in": str(check_in),
            "justification": "Ingen annen ledig plass i kommunen denne uka."})
        assert placed.status_code == 201, placed.text

        async def counted():
            now = (await report()).json()
            return now if office_row(now)["households"] == office_row(before)["households"] + 1 else None
        after = await eventually(counted)
        mine, was = office_row(after), office_row(before)
        assert (mine["nights"], mine["staying_at_end"]) == (was["nights"] + 5, was["staying_at_end"] + 1)
        assert mine["by_length"]["0–7 døgn"] == was["by_length"]["0–7 døgn"] + 1  # 5 nights at the week's end
        beds = unit["beds"]
        for i, (old, new) in enumerate(zip(before["nights"], after["nights"], strict=True)):
            taken = beds if i >= 2 else 0  # the unit counts from its first night in use, all its beds taken
            assert (new["beds"], new["occupied"], new["free"]) == (old["beds"] + taken, old["occupied"] + taken,
                                                                   old["free"]), new["night"]

        text = (await report(format="csv")).content.decode("utf-8-sig")
        xlsx = (await report(format="xlsx")).content
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:4] == ["Kontor", "Husstander i uka", "Døgn i uka", "I botilbud ved ukeslutt"]
    [office] = [r for r in rows if r and r[0] == OFFICE]
    assert office[1:4] == [str(mine["households"]), str(mine["nights"]), str(mine["staying_at_end"])]
    wednesday = after["nights"][2]
    night = [f"onsdag {check_in:%d.%m.%Y}", str(wednesday["beds"]), str(wednesday["occupied"]),
             str(wednesday["free"])]
    assert night in rows
    sheet = [tuple(r) for r in load_workbook(io.BytesIO(xlsx)).active.iter_rows(values_only=True)]
    assert any(r[:4] == (OFFICE, mine["households"], mine["nights"], mine["staying_at_end"]) for r in sheet)
    assert any(r[:4] == (night[0], wednesday["beds"], wednesday["occupied"], wednesday["free"]) for r in sheet)
