"""Stats' service layer on a fake unit of work: live events through the bus and its inbox, and the rebuild —
built aside, swapped only when the log held every event already applied, exclusive, and losing nothing the
live consumer handles meanwhile."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from services.stats.domain import commands as c
from services.stats.domain.rebuild import IncompleteLog, RebuildRunning
from services.stats.service_layer.rebuild import Replayed, rebuild
from tests.unit.stats.fakes import fake_bus

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def moved_out(n: int) -> c.RecordStayEnded:
    return c.RecordStayEnded(UUID(int=n), NOW, UUID(int=1000 + n), UUID(int=2000 + n), date(2026, 2, 1), "unknown")


def log_of(*batches, between=None):
    """A fake event log: yields the batches; `between(i)` runs after batch i was handed over (live traffic)."""
    async def read_log():
        for i, batch in enumerate(batches):
            yield Replayed(len(batch), list(batch))
            if between:
                await between(i)
    return read_log


def lock(held: bool = True):
    @contextlib.asynccontextmanager
    async def acquire():
        yield held
    return acquire


async def live(bus, cmd):
    return await bus.handle(cmd, event_id=cmd.event_id)


async def test_a_live_event_is_applied_once_however_often_it_comes():
    bus, uow = fake_bus()
    assert await live(bus, moved_out(1)) is True
    assert await live(bus, moved_out(1)) is None  # redelivered: the inbox has it
    assert uow.projections.applied == [moved_out(1)]
    assert uow.shadow is None


async def test_the_writers_lock_comes_before_the_inbox_row():
    bus, uow = fake_bus()
    await live(bus, moved_out(1))
    assert uow.locks[:2] == ["shared", "inbox"]


async def test_a_complete_rebuild_swaps_in_what_the_log_says():
    bus, uow = fake_bus(now=lambda: NOW)
    await live(bus, moved_out(1))
    seen = []
    outcome = await rebuild(bus, log_of([moved_out(1), moved_out(2)], [moved_out(2), moved_out(3)]), lock(),
                            seen.append)
    assert outcome.swapped and outcome.tally.events_read == 4 and outcome.tally.in_log == 3
    assert uow.projections.event_ids == {UUID(int=1), UUID(int=2), UUID(int=3)}
    assert len(uow.projections.applied) == 3  # the duplicate across batches is applied once
    assert uow.shadow is None and seen == ["swapped"]
    # The live inbox now knows the events the replay read ahead of the live consumer: it will skip them.
    assert await live(bus, moved_out(3)) is None
    (history,) = uow.rebuilds.history.values()
    assert history["outcome"] == "swapped" and "4 hendelser" in history["message"]


async def test_a_log_that_lacks_applied_events_keeps_the_numbers_and_says_why():
    bus, uow = fake_bus(now=lambda: NOW)
    for n in (1, 2, 3):
        await live(bus, moved_out(n))
    before = list(uow.projections.applied)
    seen = []
    with pytest.raises(IncompleteLog) as refused:
        await rebuild(bus, log_of([moved_out(3)]), lock(), seen.append)  # a broker that lost its history
    assert uow.projections.applied == before
    assert uow.shadow is None and seen == ["refused"]
    tally = refused.value.tally
    assert (tally.applied, tally.in_log, tally.missing) == (3, 1, 2)
    assert "manglet 2 av de 3 hendelsene" in str(refused.value)
    (history,) = uow.rebuilds.history.values()
    assert history["outcome"] == "refused" and history["message"] == str(refused.value)


async def test_an_empty_log_refuses_when_stats_has_applied_anything():
    bus, uow = fake_bus(now=lambda: NOW)
    await live(bus, moved_out(1))
    with pytest.raises(IncompleteLog):
        await rebuild(bus, log_of(), lock())
    assert uow.projections.event_ids == {UUID(int=1)}


async def test_an_empty_log_and_empty_stats_rebuild_to_nothing():
    bus, uow = fake_bus(now=lambda: NOW)
    outcome = await rebuild(bus, log_of(), lock())
    assert outcome.swapped and outcome.tally.events_read == 0


async def test_events_the_live_consumer_handles_during_a_rebuild_are_in_what_is_swapped_in():
    bus, uow = fake_bus(now=lambda: NOW)
    await live(bus, moved_out(1))

    async def live_traffic(batch: int):
        if batch == 0:
            await live(bus, moved_out(5))  # published after the replay read past it
            await live(bus, moved_out(2))  # also in the log, read by the replay already

    await rebuild(bus, log_of([moved_out(1), moved_out(2)], [moved_out(3)], between=live_traffic), lock())
    assert uow.projections.event_ids == {UUID(int=n) for n in (1, 2, 3, 5)}
    assert [cmd.event_id for cmd in uow.projections.applied].count(UUID(int=2)) == 1
    # And the live consumer goes on after the swap.
    assert await live(bus, moved_out(6)) is True
    assert UUID(int=6) in uow.projections.event_ids


async def test_a_second_rebuild_is_refused_while_one_holds_the_lock():
    bus, uow = fake_bus(now=lambda: NOW)
    with pytest.raises(RebuildRunning) as running:
        await rebuild(bus, log_of([moved_out(1)]), lock(held=False))
    assert "pågår allerede" in str(running.value)
    assert uow.rebuilds.history == {} and uow.shadow is None


async def test_a_rebuild_that_fails_half_way_throws_away_what_it_built():
    bus, uow = fake_bus(now=lambda: NOW)
    await live(bus, moved_out(1))

    async def broken_log():
        yield Replayed(1, [moved_out(1)])
        raise ConnectionError("broker gone")

    seen = []
    with pytest.raises(ConnectionError):
        await rebuild(bus, broken_log, lock(), seen.append)
    assert uow.shadow is None and seen == ["failed"]
    assert uow.projections.applied == [moved_out(1)]
    (history,) = uow.rebuilds.history.values()
    assert history["outcome"] == "failed"


async def test_every_step_of_a_rebuild_excludes_the_live_writers():
    bus, uow = fake_bus(now=lambda: NOW)
    uow.locks.clear()
    await rebuild(bus, log_of([moved_out(1)], [moved_out(2)]), lock())
    assert uow.locks == ["exclusive"] * 4  # begin, two batches, finish


async def test_a_replayed_batch_counts_only_the_events_new_to_the_projections_being_built():
    bus, uow = fake_bus(now=lambda: NOW)
    await bus.handle(c.BeginRebuild(UUID(int=99)))
    assert await bus.handle(c.ProjectReplayed((moved_out(1), moved_out(1), moved_out(2)))) == 2
    assert await bus.handle(c.ProjectReplayed((moved_out(2),))) == 0
    assert uow.projections.applied == []  # the live projections are untouched until the swap
