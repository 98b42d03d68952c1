"""The stay history import's handlers (botilbud import-stays, the import page): every row checked, then every
new stay written with its events.

Two ways in. `import_stays` checks and writes one request's rows in one transaction (the API's chunk). An
*import run* checks the whole file once (`start_import_run`), then a background writer (`run_import`) writes its
stays in chunks of `RUN_CHUNK`, each in its own transaction with the run's progress (`write_import_run`), so
the page and the command line can show rows done of the total while it goes. Each chunk is checked again against
what placement holds by then (stays written since, units taken since); the rows' own checks are not repeated."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from kit.logging import get_logger
from kit.messagebus import MessageBus
from pure.nb_text import count_text
from services.placement.domain import commands, history, model
from services.placement.service_layer.unit_of_work import PlacementUnitOfWork

log = get_logger(__name__)
RUN_CHUNK = 5000  # stays per transaction of a run (bench/RESULTS.md, 14.6)
LISTED_PROBLEMS = 100  # bad rows a run keeps (its count has them all)
STOPPED_NB = "Importen stoppet på grunn av en feil i systemet. Kjør den igjen: det som alt er importert, endres ikke."


@dataclass(frozen=True)
class ImportResult:
    rows: int
    created: list[UUID]
    already_imported: int
    rejected: list[history.RowError]
    unknown: list[history.Unknown]
    written: bool
    dry_run: bool


@dataclass(frozen=True)
class StartedRun:
    check: ImportResult  # the whole file's check (nothing written yet)
    run_id: UUID | None  # None: refused (a bad row and not partial), or nothing to write
    stays: list[history.ImportedStay]  # what the run writes


async def _checked(uow: PlacementUnitOfWork, rows, day: date,
                   only_office: str | None) -> tuple[list[history.ImportedStay], list[history.RowError]]:
    """Each row against the format, the offices and the providers (and a leader's office). The offices a row may
    name are the ones placement has learnt from intake's events, by name."""
    offices = {history.key(o.name): o for o in await uow.offices.all()}
    index = history.ProviderIndex(await uow.providers.all())
    errors: list[history.RowError] = []
    stays: list[history.ImportedStay] = []
    for line, row in rows:
        checked = history.check_row(line, row, offices=offices, providers=index, today=day)
        if isinstance(checked, history.RowError):
            errors.append(checked)
        elif only_office and checked.office.id != only_office:
            errors.append(history.RowError(line, f"raden gjelder {checked.office.name}; du kan bare importere "
                                                 "rader for ditt eget Nav-kontor", "office"))
        else:
            stays.append(checked)
    return stays, errors


async def _fitted(uow: PlacementUnitOfWork, stays: list[history.ImportedStay],
                  ) -> tuple[list[history.ImportedStay], int, list[history.RowError]]:
    """The stays against what placement holds now: the new ones (each ongoing one with a free unit), how many
    are already imported, and the rows refused (twice in the file, overlapping, no free unit)."""
    existing = await uow.stays.existing_ids([s.stay_id for s in stays])
    good, errors = history.check_together(stays, await uow.stays.spans(list({s.household_id for s in stays})))
    new = [s for s in good if s.stay_id not in existing]
    errors += history.allocate_units(new, await uow.providers.units_with_households())
    bad_lines = {e.line for e in errors}
    return [s for s in new if s.line not in bad_lines], len(existing), errors


async def _write(uow: PlacementUnitOfWork, new: list[history.ImportedStay], day: date, at: datetime) -> None:
    units = {u.id: u for u, _ in await uow.providers.units_with_households()}
    imported = []
    for s in new:
        stay = model.Stay(s.stay_id, s.household_id, s.decision_id, s.unit_id, s.provider.id, s.check_in,
                          s.authorised_to, s.check_out, s.destination, None, s.office.id, s.municipality)
        stay.record(history.StayImported(s, units[s.unit_id], day, at))
        imported.append((stay, model.GrantedDecision(
            s.decision_id, s.household_id, s.office.id, s.municipality, s.district, "granted", s.check_in,
            s.authorised_to, s.household)))
    await uow.stays.add_imported(imported)


async def import_stays(cmd: commands.ImportStays, uow: PlacementUnitOfWork, *, today: Callable[[], date],
                       now: Callable[[], datetime]) -> ImportResult:
    """Check every row first, then write every new stay and its events. One bad row writes nothing unless
    `partial`; rows already imported (same stay id) are counted and left as they are. A dry run writes
    nothing (the bus still commits, but there is nothing to commit)."""
    day = today()
    await uow.stays.lock_imports()
    stays, errors = await _checked(uow, cmd.rows, day, cmd.only_office)
    new, already, more = await _fitted(uow, stays)
    errors = sorted(errors + more, key=lambda e: e.line)
    write = not cmd.dry_run and (cmd.partial or not errors)
    if write:
        await _write(uow, new, day, now())
    log.info("stays_imported", rows=len(cmd.rows), created=len(new) if write else 0, already_imported=already,
             rejected=len(errors), dry_run=cmd.dry_run, written=write)
    return ImportResult(len(cmd.rows), [s.stay_id for s in new] if write or cmd.dry_run else [], already, errors,
                        history.unknown_names(errors), write and bool(new), cmd.dry_run)


# --- import runs -----------------------------------------------------------------------------------------------

def _problems(errors: list[history.RowError]) -> list[dict]:
    return [{"line": e.line, "reason": e.reason, "field": e.field} for e in errors[:LISTED_PROBLEMS]]


async def start_import_run(cmd: commands.StartImportRun, uow: PlacementUnitOfWork, *,
                           today: Callable[[], date]) -> StartedRun:
    """The whole file checked; unless refused, the run recorded with what it is to write."""
    day = today()
    await uow.stays.lock_imports()
    stays, errors = await _checked(uow, cmd.rows, day, cmd.only_office)
    new, already, more = await _fitted(uow, stays)
    errors = sorted(errors + more, key=lambda e: e.line)
    check = ImportResult(len(cmd.rows), [s.stay_id for s in new], already, errors, history.unknown_names(errors),
                         False, True)
    if errors and not cmd.partial:
        return StartedRun(check, None, [])
    await uow.imports.start(cmd.run_id, office_id=cmd.only_office, file_name=cmd.file_name, rows=len(cmd.rows),
                            to_write=len(new), already_imported=already, rejected=_problems(errors),
                            rejected_count=len(errors), done=not new)
    return StartedRun(check, cmd.run_id, new)


async def write_import_run(cmd: commands.WriteImportRun, uow: PlacementUnitOfWork, *, today: Callable[[], date],
                           now: Callable[[], datetime]) -> bool:
    """One chunk of a run. Refused rows found now (say, the last free unit was taken since the check) stop a run
    that is not partial, with its reasons kept; False then."""
    await uow.stays.lock_imports()
    new, already, errors = await _fitted(uow, list(cmd.stays))
    if errors and not cmd.partial:
        await uow.imports.stop(cmd.run_id, _problems(errors), len(errors),
                               f"Stoppet: {count_text(len(errors), 'rad', 'rader')} kunne ikke skrives (se linjene).")
        return False
    await _write(uow, new, today(), now())
    await uow.imports.progress(cmd.run_id, written=len(new), already_imported=already, rejected=_problems(errors),
                               rejected_count=len(errors))
    return True


async def finish_import_run(cmd: commands.FinishImportRun, uow: PlacementUnitOfWork) -> None:
    await uow.imports.finish(cmd.run_id, cmd.error)


async def run_import(bus: MessageBus, run_id: UUID, stays: list[history.ImportedStay], *, partial: bool) -> None:
    """The background writer of a run: its stays chunk by chunk, then the run marked done (or why it stopped).
    A writer that dies with its process leaves the run `running` without progress; the same file imported again
    finishes it (what is written is never written twice)."""
    try:
        for start in range(0, len(stays), RUN_CHUNK):
            if not await bus.handle(commands.WriteImportRun(run_id, tuple(stays[start:start + RUN_CHUNK]), partial)):
                return
        await bus.handle(commands.FinishImportRun(run_id))
        log.info("import_run_done", run_id=str(run_id), stays=len(stays))
    except Exception as exc:
        log.warning("import_run_failed", run_id=str(run_id), error=repr(exc)[:300])
        try:
            await bus.handle(commands.FinishImportRun(run_id, STOPPED_NB))
        except Exception as again:  # the database is gone too: the run shows it has stalled
            log.warning("import_run_not_marked", run_id=str(run_id), error=repr(again)[:300])
