"""Stats' use cases: idempotent projections, and the KOSTRA report."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from services.stats.domain import kostra
from services.stats.domain.commands import RecordStayEnded, RecordStayStarted
from services.stats.service_layer.unit_of_work import StatsUnitOfWork

CONSUMER = "stats"
UowFactory = Callable[[], StatsUnitOfWork]


async def record_stay_started(cmd: RecordStayStarted, uow_factory: UowFactory) -> bool:
    async with uow_factory() as uow:
        if not await uow.claim_event(CONSUMER, cmd.event_id):
            return False
        await uow.repo.stay_started(cmd)
        await uow.commit()
        return True


async def record_stay_ended(cmd: RecordStayEnded, uow_factory: UowFactory) -> bool:
    async with uow_factory() as uow:
        if not await uow.claim_event(CONSUMER, cmd.event_id):
            return False
        await uow.repo.stay_ended(cmd)
        await uow.commit()
        return True


async def kostra_report(uow_factory: UowFactory, *, year: int, municipality: str, district: str | None,
                        today: date, rules: kostra.KostraRules) -> dict:
    async with uow_factory() as uow:
        stays = await uow.repo.stays_for_kostra(municipality, district, year)
    return kostra.compute(stays, year, today, rules)
