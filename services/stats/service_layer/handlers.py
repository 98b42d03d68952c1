"""Stats' use cases: idempotent projections (one event or a batch), the KOSTRA report, the municipality's
reports, and the start of a rebuild."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta

from services.stats.domain import kostra, reports
from services.stats.domain.commands import Command
from services.stats.service_layer.unit_of_work import StatsUnitOfWork

CONSUMER = "stats"
UowFactory = Callable[[], StatsUnitOfWork]


async def project(cmds: Sequence[Command], uow_factory: UowFactory, *, rebuilding: bool = False) -> int:
    """Apply the events not seen before, claiming their ids in the inbox in the same transaction.
    Returns how many were new. Every upsert is order-tolerant, so a batch may hold any mix of events.
    A rebuild's batches exclude the live consumer while they are written (and the other way round)."""
    unique = list({cmd.event_id: cmd for cmd in cmds}.values())
    if not unique:
        return 0
    async with uow_factory() as uow:
        await uow.repo.lock_projections(exclusive=rebuilding)
        claimed = await uow.repo.claim_events(CONSUMER, sorted(cmd.event_id for cmd in unique))
        todo = [cmd for cmd in unique if cmd.event_id in claimed]
        await uow.repo.apply(todo)
        await uow.commit()
    return len(todo)


async def record(cmd: Command, uow_factory: UowFactory) -> bool:
    return await project([cmd], uow_factory) == 1


async def truncate_projections(uow_factory: UowFactory) -> None:
    """First step of a rebuild: empty every projection and stats' inbox in one transaction."""
    async with uow_factory() as uow:
        await uow.repo.lock_projections(exclusive=True)
        await uow.repo.truncate(CONSUMER)
        await uow.commit()


async def analyze(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        await uow.repo.analyze()
        await uow.commit()


async def kostra_report(uow_factory: UowFactory, *, year: int, municipality: str, district: str | None,
                        today: date, rules: kostra.KostraRules) -> dict:
    async with uow_factory() as uow:
        stays = await uow.repo.stays_for_kostra(municipality, district, year)
    return kostra.compute(stays, year, today, rules)


REPORTS = {
    "maned": "Personer og døgn per måned",
    "avtaler": "Opphold innenfor og utenfor avtale",
    "botid": "Botid i året",
    "tre-maneder": "Husstander nær eller over tre måneder nå",
    "familier-unge": "Barnefamilier og unge nå",
    "utflytting": "Utflytting etter hvor de flyttet",
    "vedtak": "Vedtak og ulike husstander",
    "belegg": "Belegg og ledige plasser per tilbyder nå",
    "kostnader": "Utgifter per tilbyder",
}


async def report(uow_factory: UowFactory, key: str, *, year: int, municipality: str, district: str | None,
                 today: date, rules: kostra.KostraRules) -> reports.Table:
    if key not in REPORTS:
        raise KeyError(key)
    async with uow_factory() as uow:
        repo = uow.repo
        if key in ("maned", "avtaler", "botid"):
            stays = await repo.stays_in_year(municipality, district, year)
            if key == "maned":
                return reports.monthly(stays, year, today, rules)
            return reports.agreements(stays, year, today) if key == "avtaler" else \
                reports.length_of_stay(stays, year, today)
        if key in ("tre-maneder", "familier-unge"):
            # Unbroken runs can be long: look back far enough to find where tonight's run began.
            stays = await repo.stays_in_period(municipality, district, today - timedelta(days=3 * 366),
                                               today + timedelta(days=1))
            return reports.three_months_now(stays, today, rules) if key == "tre-maneder" else \
                reports.families_and_young_now(stays, today, rules)
        if key == "utflytting":
            return reports.exits([tuple(r) for r in await repo.exits_by_destination(municipality, district, year)])
        if key == "vedtak":
            return reports.decisions([tuple(r) for r in await repo.decisions(municipality, district, year)])
        if key == "belegg":
            return reports.occupancy([tuple(r) for r in await repo.occupancy(municipality, district)])
        return reports.spend([tuple(r) for r in await repo.spend(municipality, district, year)])


async def snapshot(uow_factory: UowFactory) -> dict:
    async with uow_factory() as uow:
        return await uow.repo.snapshot()


async def municipalities(uow_factory: UowFactory) -> list[str]:
    async with uow_factory() as uow:
        return await uow.repo.municipalities()


async def open_stays_over(uow_factory: UowFactory, rules: kostra.KostraRules, today: date) -> list:
    async with uow_factory() as uow:
        return await uow.repo.open_stays_over(rules, today)


async def now_by_municipality(uow_factory: UowFactory) -> tuple[list, list]:
    async with uow_factory() as uow:
        return await uow.repo.now_by_municipality()
