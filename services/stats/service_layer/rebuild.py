"""A rebuild of stats' projections from the event log, safe to run at any time:

1. Exclusive across processes (a PostgreSQL session lock): a second one is refused at once (`RebuildRunning`).
2. Build aside: empty projections in another schema; the live consumer goes on serving and updating the live
   ones, and writes each event into the new ones too from this moment on (so none is lost in the hand-over).
3. Replay every topic from offset 0 into the new projections, in batches (one written while the next is read).
4. Swap in one transaction — only if the new projections hold every event the live ones hold. A log that lacks
   some (a broker restarted without its history) would turn good numbers into smaller ones: then the new
   projections are thrown away, the numbers stay, and the caller hears why (`IncompleteLog`)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from uuid import uuid4

from kit.logging import get_logger
from kit.messagebus import MessageBus
from services.stats.domain import commands as c
from services.stats.domain.rebuild import IncompleteLog, RebuildOutcome, RebuildRunning

log = get_logger(__name__)


@dataclass(frozen=True)
class Replayed:
    """A batch off the log: how many records were read, and the commands of those stats projects."""

    records: int
    commands: list[c.Command]


ReadLog = Callable[[], AsyncIterator[Replayed]]
Lock = Callable[[], AbstractAsyncContextManager[bool]]


async def rebuild(bus: MessageBus, read_log: ReadLog, lock: Lock,
                  observe: Callable[[str], None] = lambda outcome: None) -> RebuildOutcome:
    """Rebuild the projections (see the module's doc); `observe` hears the outcome: swapped, refused, failed."""
    async with lock() as held:
        if not held:
            raise RebuildRunning()
        rebuild_id = uuid4()
        await bus.handle(c.BeginRebuild(rebuild_id))
        try:
            read = await _replay(bus, read_log)
            outcome = await bus.handle(c.FinishRebuild(rebuild_id, read))
        except BaseException as exc:
            observe("failed")
            log.error("stats_rebuild_failed", rebuild_id=str(rebuild_id), error=repr(exc)[:300])
            with contextlib.suppress(Exception):  # the original error is what the caller needs to hear
                await asyncio.shield(bus.handle(c.AbandonRebuild(rebuild_id, "Feilet underveis; tallene er som før.")))
            raise
    t = outcome.tally
    if not outcome.swapped:
        observe("refused")
        log.warning("stats_rebuild_refused", rebuild_id=str(rebuild_id), events_read=t.events_read,
                    events_in_log=t.in_log, events_applied=t.applied, events_missing=t.missing)
        raise IncompleteLog(t)
    observe("swapped")
    log.info("stats_rebuilt", rebuild_id=str(rebuild_id), events_read=t.events_read, events_in_log=t.in_log,
             events_applied_before=t.applied)
    return outcome


async def _replay(bus: MessageBus, read_log: ReadLog) -> int:
    """Every batch off the log into the new projections; returns how many records were read. One batch is
    written while the next is read and parsed (never two written at once)."""
    read = 0
    writing: asyncio.Future | None = None
    try:
        async with contextlib.aclosing(read_log()) as batches:
            async for batch in batches:
                read += batch.records
                if writing is not None:
                    await writing
                writing = asyncio.ensure_future(bus.handle(c.ProjectReplayed(tuple(batch.commands))))
        if writing is not None:
            await writing
    finally:
        if writing is not None and not writing.done():
            writing.cancel()
            with contextlib.suppress(BaseException):
                await writing
    return read
