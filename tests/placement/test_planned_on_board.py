"""Planned move-outs and moves on the capacity board and the stay page, on the real stack (issue 15.8): a unit
taken until a planned move-out says when the household moves out, the stay says the move-out is planned and not
yet registered, and a move links the two stays with its date."""

import re
from datetime import timedelta

import httpx
import pytest

from kit.clock import today
from tests.conftest import login
from tests.placement.helpers import grant, new_place

pytestmark = [pytest.mark.integration]
TODAY = today()


def board_row(page: str, provider: str) -> str:
    """The capacity board's row of one provider (its units' list included)."""
    start = page.index(f'<tr data-provider="{provider}">')
    return page[start:page.index("</tr>", start)]


def text(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


async def test_the_board_and_the_stay_show_a_planned_move_out_with_its_date_and_a_move_with_its_stays(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        worker, admin = await login(client, "veileder-grunerlokka"), await login(client, "admin")
        first, second = await new_place(client, admin), await new_place(client, admin)
        g = await grant(client, worker, period_from=TODAY - timedelta(days=3), period_to=TODAY + timedelta(days=90))
        placed = await client.post("/placement/api/stays", headers=worker, json={
            "decision_id": g["decision_id"], "unit_id": first["units"][0]["unit_id"],
            "check_in": str(TODAY - timedelta(days=3))})
        assert placed.status_code == 201, placed.text
        stay_id = placed.json()["stay_id"]
        ahead = TODAY + timedelta(days=40)
        planned = await client.post(f"/placement/api/stays/{stay_id}/move-out", headers=worker, json={
            "check_out": str(ahead), "destination": "private_rental"})
        assert planned.status_code == 200 and planned.json()["planned"] is True, planned.text

        row = text(board_row((await client.get("/placement/?municipality=0301", headers=worker)).text,
                             first["name"]))
        assert f"Leilighet 1: Flytter ut {ahead:%d.%m.%Y} (planlagt)" in row  # visible without opening the unit
        assert f"opptatt · Flytter ut {ahead:%d.%m.%Y}" in row
        assert "Flytter ut" not in text(board_row((await client.get("/placement/?municipality=0301",
                                                                    headers=worker)).text, second["name"]))
        unit = next(u for u in (await client.get("/placement/api/capacity?municipality=0301", headers=worker)).json()
                    if u["unit_id"] == first["units"][0]["unit_id"])
        assert unit["occupied"] == 1 and unit["planned_move_out"]["check_out"] == str(ahead)

        page = (await client.get(f"/placement/stays/{stay_id}", headers=worker)).text
        status = text(page.split('data-testid="stay-status">')[1].split("</p>")[0])
        assert status.startswith("Planlagt, ikke registrert ennå:")
        assert f"flytter ut {ahead:%d.%m.%Y} (Privat leid bolig)" in status
        assert "enheten er opptatt" in status

        # Cancelled, then a move today: the old stay names the day and links the new one, and back.
        assert (await client.delete(f"/placement/api/stays/{stay_id}/planned-move-out",
                                    headers=worker)).status_code == 200
        moved = await client.post(f"/placement/api/stays/{stay_id}/move", headers=worker, json={
            "unit_id": second["units"][0]["unit_id"], "moved_on": str(TODAY)})
        assert moved.status_code == 201, moved.text
        new_id = moved.json()["stay_id"]
        old_page = (await client.get(f"/placement/stays/{stay_id}", headers=worker)).text
        assert f'href="/placement/stays/{new_id}"' in old_page
        assert f"husstanden flyttet {TODAY:%d.%m.%Y} til {second['name']}" in text(old_page)
        new_page = (await client.get(f"/placement/stays/{new_id}", headers=worker)).text
        assert f'href="/placement/stays/{stay_id}"' in new_page
        assert f"Flyttet hit {TODAY:%d.%m.%Y} fra {first['name']}" in text(new_page)
        board = (await client.get("/placement/?municipality=0301", headers=worker)).text
        assert "Flytter ut" not in text(board_row(board, first["name"]))
