"""The stay history import's handler (botilbud import-stays): every row checked, then every new stay written
with its events, in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from kit.logging import get_logger
from services.placement.domain import commands, history, model
from services.placement.service_layer.unit_of_work import PlacementUnitOfWork

log = get_logger(__name__)


@dataclass(frozen=True)
class ImportResult:
    rows: int
    created: list[UUID]
    already_imported: int
    rejected: list[history.RowError]
    unknown: list[history.Unknown]
    written: bool
    dry_run: bool


async def import_stays(cmd: commands.ImportStays, uow: PlacementUnitOfWork, *, today: Callable[[], date],
                       now: Callable[[], datetime]) -> ImportResult:
    """Check every row first, then write every new stay and its events. One bad row writes nothing unless
    `partial`; rows already imported (same stay id) are counted and left as they are. A dry run writes
    nothing (the bus still commits, but there is nothing to commit). The offices a row may name are the ones
    placement has learnt from intake's events, by name."""
    day = today()
    await uow.stays.lock_imports()
    offices = {history.key(o.name): o for o in await uow.offices.all()}
    index = history.ProviderIndex(await uow.providers.all())
    errors: list[history.RowError] = []
    stays: list[history.ImportedStay] = []
    for line, row in cmd.rows:
        checked = history.check_row(line, row, offices=offices, providers=index, today=day)
        if isinstance(checked, history.RowError):
            errors.append(checked)
        elif cmd.only_office and checked.office.id != cmd.only_office:
            errors.append(history.RowError(line, f"raden gjelder {checked.office.name}; du kan bare importere "
                                                 "rader for ditt eget Nav-kontor", "office"))
        else:
            stays.append(checked)
    existing = await uow.stays.existing_ids([s.stay_id for s in stays])
    good, clashes = history.check_together(stays, await uow.stays.spans(list({s.household_id for s in stays})))
    errors += clashes
    new = [s for s in good if s.stay_id not in existing]
    errors += history.allocate_units(new, await uow.providers.units_with_households())
    bad_lines = {e.line for e in errors}
    new = [s for s in new if s.line not in bad_lines]
    errors.sort(key=lambda e: e.line)
    write = not cmd.dry_run and (cmd.partial or not errors)
    if write:
        at = now()
        units = {u.id: u for u, _ in await uow.providers.units_with_households()}
        for s in new:
            stay = model.Stay(s.stay_id, s.household_id, s.decision_id, s.unit_id, s.provider.id, s.check_in,
                              s.authorised_to, s.check_out, s.destination, None, s.office.id, s.municipality)
            stay.record(history.StayImported(s, units[s.unit_id], day, at))
            await uow.stays.add_imported(stay, model.GrantedDecision(
                s.decision_id, s.household_id, s.office.id, s.municipality, s.district, "granted", s.check_in,
                s.authorised_to, s.household))
    log.info("stays_imported", rows=len(cmd.rows), created=len(new) if write else 0,
             already_imported=len(existing), rejected=len(errors), dry_run=cmd.dry_run, written=write)
    return ImportResult(len(cmd.rows), [s.stay_id for s in new] if write or cmd.dry_run else [], len(existing),
                        errors, history.unknown_names(errors), write and bool(new), cmd.dry_run)
