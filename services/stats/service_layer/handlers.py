"""Stats' handlers, one shape: `async def handler(cmd, uow, **deps)`; the bus opens and commits the unit of
work (and claims a live event in the inbox first). Every projection is order-tolerant, so events may come in
any order and any mix.

While a rebuild builds projections aside, the live consumer writes each event into them too (claimed in their
own inbox): so nothing the consumer handles during a rebuild is missing from what is swapped in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from services.stats.domain import commands as c
from services.stats.domain.rebuild import RebuildOutcome, refusal
from services.stats.service_layer.unit_of_work import StatsUnitOfWork

Now = Callable[[], datetime]


async def project(cmd: c.Command, uow: StatsUnitOfWork) -> bool:
    """One live event into the projections (and into a rebuild's, while one runs). True: applied (the bus
    answers None for an event its inbox has seen)."""
    building = await uow.projections.lock_writers()
    await uow.projections.apply([cmd])
    if building and await uow.shadow.claim([cmd.event_id]):
        await uow.shadow.apply([cmd])
    return True


async def project_many(cmds: list[c.Command], uow: StatsUnitOfWork) -> None:
    """A batch of live events (claimed together by the bus) into the projections at once: the projections are
    order-tolerant, so one bulk upsert per kind of event does what `project` does one event at a time."""
    building = await uow.projections.lock_writers()
    await uow.projections.apply(cmds)
    if building:
        new = await uow.shadow.claim([cmd.event_id for cmd in cmds])
        await uow.shadow.apply([cmd for cmd in cmds if cmd.event_id in new])


async def begin_rebuild(cmd: c.BeginRebuild, uow: StatsUnitOfWork, now: Now) -> None:
    await uow.projections.lock_writers(exclusive=True)
    await uow.rebuilds.make_shadow()
    await uow.rebuilds.started(cmd.rebuild_id, now())


async def project_replayed(cmd: c.ProjectReplayed, uow: StatsUnitOfWork) -> int:
    """A batch read back from the log into the projections being built; returns how many were new to them.
    Exclusive: a live transaction waits while a batch is written (and the other way round)."""
    await uow.projections.lock_writers(exclusive=True)
    unique = {e.event_id: e for e in cmd.events}
    new = await uow.shadow.claim(list(unique))
    await uow.shadow.apply([e for event_id, e in unique.items() if event_id in new])
    return len(new)


async def finish_rebuild(cmd: c.FinishRebuild, uow: StatsUnitOfWork, now: Now) -> RebuildOutcome:
    """Swap the new projections in if they hold every event the live ones hold; else keep the live ones.
    With the writers' lock held exclusively, no live event can slip between the count and the swap."""
    await uow.projections.lock_writers(exclusive=True)
    outcome = RebuildOutcome(cmd.rebuild_id, await uow.rebuilds.tally(cmd.events_read))
    if outcome.swapped:
        await uow.rebuilds.swap()
        await uow.rebuilds.finished(cmd.rebuild_id, now(), "swapped", outcome.tally,
                                    f"Bygget opp på nytt fra {cmd.events_read} hendelser.")
    else:
        await uow.rebuilds.drop_shadow()
        await uow.rebuilds.finished(cmd.rebuild_id, now(), "refused", outcome.tally, refusal(outcome.tally))
    return outcome


async def abandon_rebuild(cmd: c.AbandonRebuild, uow: StatsUnitOfWork, now: Now) -> None:
    await uow.projections.lock_writers(exclusive=True)
    await uow.rebuilds.drop_shadow()
    await uow.rebuilds.finished(cmd.rebuild_id, now(), "failed", None, cmd.reason)


RECORDS = (c.RecordApplication, c.RecordDecision, c.RecordOffice, c.RecordProvider, c.RecordUnit, c.RecordCapacity,
           c.RecordStayStarted, c.RecordStayExtended, c.RecordStayEnded, c.RecordRequisitionIssued,
           c.RecordRequisitionClosed, c.RecordInvoiceReceived, c.RecordInvoiceReconciled, c.RecordInvoiceApproved)
