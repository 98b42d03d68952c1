"""A move-out dated after today is planned (BRIEF §4): the unit stays taken and the stay open until that day, the
stay shows it, the case worker can change or cancel it, and on its day placement carries it out by itself with
the usual events. The clock is the world's (`world.today`), bound where bootstrap binds kit.clock."""

from datetime import timedelta

import pytest

import contracts
from services.placement.domain import commands
from services.placement.domain.errors import Conflict, RuleBroken
from services.placement.service_layer.jobs import carry_out_planned_move_outs
from tests.unit.placement.world import WORKER, World


async def test_a_move_out_dated_ahead_keeps_the_unit_taken_and_the_stay_open():
    world = World()
    stay, unit = await world.placed()
    day = world.today + timedelta(days=60)
    after = await world.bus.handle(commands.MoveOut(stay.id, day, "private_rental"))
    assert after.check_out is None and (after.planned_check_out, after.planned_destination) == (day, "private_rental")
    assert world.occupied(unit.id) == 1
    assert world.published(contracts.HouseholdMovedOut) == []  # billing's requisition and stats' stay unchanged
    capacity = [e for e in world.published(contracts.CapacityChanged) if e["unit_id"] == str(unit.id)]
    assert capacity[-1]["households"] == 1


async def test_a_move_out_today_or_earlier_happens_now():
    world = World()
    stay, unit = await world.placed()
    after = await world.bus.handle(commands.MoveOut(stay.id, world.today, "municipal_rental"))
    assert after.check_out == world.today and after.planned_check_out is None
    assert world.occupied(unit.id) == 0
    [moved] = world.published(contracts.HouseholdMovedOut)
    assert (moved["check_out"], moved["destination"]) == (str(world.today), "municipal_rental")


async def test_the_plan_can_be_changed_and_cancelled():
    world = World()
    stay, _ = await world.placed()
    await world.bus.handle(commands.MoveOut(stay.id, world.today + timedelta(days=60), "private_rental"))
    changed = await world.bus.handle(commands.MoveOut(stay.id, world.today + timedelta(days=10), "institution"))
    assert (changed.planned_check_out, changed.planned_destination) == (world.today + timedelta(days=10),
                                                                        "institution")
    cancelled = await world.bus.handle(commands.CancelPlannedMoveOut(stay.id))
    assert cancelled.planned_check_out is None and cancelled.check_out is None
    with pytest.raises(Conflict):
        await world.bus.handle(commands.CancelPlannedMoveOut(stay.id))


async def test_on_its_day_the_job_carries_it_out_with_the_events():
    world = World()
    stay, unit = await world.placed()
    day = world.today + timedelta(days=3)
    await world.bus.handle(commands.MoveOut(stay.id, day, "own_home"))

    world.today = day - timedelta(days=1)
    assert await carry_out_planned_move_outs(world.bus, world.queries, lambda: world.today) == 0
    assert world.occupied(unit.id) == 1

    world.today = day
    assert await carry_out_planned_move_outs(world.bus, world.queries, lambda: world.today) == 1
    done = await world.queries.stay(stay.id)
    assert (done.check_out, done.destination, done.planned_check_out) == (day, "own_home", None)
    assert world.occupied(unit.id) == 0
    [moved] = world.published(contracts.HouseholdMovedOut)
    assert (moved["stay_id"], moved["check_out"], moved["destination"]) == (str(stay.id), str(day), "own_home")
    assert world.published(contracts.CapacityChanged)[-1]["households"] == 0
    assert await carry_out_planned_move_outs(world.bus, world.queries, lambda: world.today) == 0  # done once


async def test_a_job_that_runs_late_still_checks_out_on_the_planned_day():
    world = World()
    stay, _ = await world.placed()
    day = world.today + timedelta(days=2)
    await world.bus.handle(commands.MoveOut(stay.id, day, "other"))
    world.today = day + timedelta(days=5)  # the service was down over the weekend
    await carry_out_planned_move_outs(world.bus, world.queries, lambda: world.today)
    assert (await world.queries.stay(stay.id)).check_out == day


async def test_a_planned_move_out_needs_a_day_after_check_in_and_a_destination():
    world = World()
    stay, _ = await world.placed(check_in=world.today + timedelta(days=5))
    with pytest.raises(RuleBroken) as err:
        await world.bus.handle(commands.MoveOut(stay.id, world.today + timedelta(days=2), "other"))
    assert err.value.field == "check_out"
    with pytest.raises(RuleBroken) as err:
        await world.bus.handle(commands.MoveOut(stay.id, world.today + timedelta(days=9), "moved_to_other_provider"))
    assert err.value.field == "destination"
    assert (await world.queries.stay(stay.id)).planned_check_out is None


async def test_a_move_to_another_unit_is_not_planned_ahead():
    world = World()
    stay, _ = await world.placed()
    _, [other] = await world.provider()
    with pytest.raises(RuleBroken) as err:
        await world.bus.handle(commands.MoveToOtherProvider(stay.id, other.id, world.today + timedelta(days=3)))
    assert err.value.field == "moved_on" and "flyttedagen" in str(err.value)
    assert world.occupied(other.id) == 0


async def test_a_stay_with_a_planned_move_out_is_not_moved_before_it_is_cancelled():
    world = World()
    stay, _ = await world.placed()
    _, [other] = await world.provider()
    await world.bus.handle(commands.MoveOut(stay.id, world.today + timedelta(days=9), "other"))
    with pytest.raises(RuleBroken, match="avlys"):
        await world.bus.handle(commands.MoveToOtherProvider(stay.id, other.id, world.today))


async def test_the_api_plans_shows_changes_and_cancels_a_move_out():
    world = World()
    stay, unit = await world.placed()
    day = world.today + timedelta(days=60)
    async with world.client(WORKER) as api:
        r = await api.post(f"/api/stays/{stay.id}/move-out", json={"check_out": str(day),
                                                                   "destination": "private_rental"})
        assert r.status_code == 200, r.text
        assert r.json() == {"stay_id": str(stay.id), "check_out": str(day), "destination": "private_rental",
                            "planned": True}
        shown = (await api.get(f"/api/stays/{stay.id}")).json()
        assert shown["check_out"] is None
        assert shown["planned_move_out"] == {"check_out": str(day), "destination": "private_rental"}
        board = {u["unit_id"]: u for u in (await api.get("/api/capacity")).json()}
        assert board[str(unit.id)]["occupied"] == 1 and board[str(unit.id)]["free"] == 0

        r = await api.post(f"/api/stays/{stay.id}/move-out", json={"check_out": str(day - timedelta(days=30)),
                                                                   "destination": "institution"})
        assert r.json()["check_out"] == str(day - timedelta(days=30)) and r.json()["planned"] is True

        r = await api.delete(f"/api/stays/{stay.id}/planned-move-out")
        assert r.status_code == 200 and r.json()["planned_move_out"] is None
        again = await api.delete(f"/api/stays/{stay.id}/planned-move-out")
        assert again.status_code == 409 and again.json()["errors"][0]["loc"] == ["path", "stay_id"]


async def test_the_stay_page_shows_the_plan_and_the_case_worker_cancels_it():
    world = World()
    stay, _ = await world.placed()
    day = world.today + timedelta(days=14)
    async with world.client(WORKER, page=True) as browser:
        r = await browser.post(f"/stays/{stay.id}/move-out", data={"check_out": str(day),
                                                                  "destination": "own_home"})
        assert r.status_code == 200
        assert f"Utflyttingen er planlagt til {day:%d.%m.%Y}" in r.text
        assert f"Planlagt utflytting {day:%d.%m.%Y} (Eid bolig)" in r.text and "Avlys planlagt utflytting" in r.text
        r = await browser.post(f"/stays/{stay.id}/planned-move-out/cancel")
        assert r.status_code == 200 and "Den planlagte utflyttingen er avlyst." in r.text
        assert "bor der nå" in r.text
    assert (await world.queries.stay(stay.id)).planned_check_out is None
