"""The office registry's use cases: an administrator registers, changes and closes Nav offices, one by one or
from a file. Every change goes out as an event (OfficeRegistered, OfficeChanged, OfficeClosed) with the
state change, so the other services learn offices only from intake. `places` (the reference data's
municipalities and Oslo's districts) is bound in bootstrap.py."""

from __future__ import annotations

from dataclasses import dataclass

from kit.logging import get_logger
from services.intake.domain import commands as c
from services.intake.domain import office_import
from services.intake.domain.errors import Forbidden, NotFound
from services.intake.domain.model import Actor
from services.intake.domain.offices import Office, Places, new_id
from services.intake.service_layer.unit_of_work import IntakeUnitOfWork

log = get_logger(__name__)
ADMIN_ONLY_NB = "Bare en administrator kan registrere og endre Nav-kontorer."


@dataclass(frozen=True)
class ImportedOffice:
    line: int
    office_id: str
    name: str
    municipality: str
    outcome: str  # registered | changed | unchanged (in a dry run: what the import would do)


@dataclass(frozen=True)
class ImportResult:
    rows: int
    offices: list[ImportedOffice]
    rejected: list[office_import.RowError]
    written: bool
    dry_run: bool
    partial: bool

    def count(self, outcome: str) -> int:
        return sum(o.outcome == outcome for o in self.offices)


def _admin(actor: Actor) -> None:
    if actor.role != "admin":
        raise Forbidden(ADMIN_ONLY_NB)


async def _office(uow: IntakeUnitOfWork, office_id: str) -> Office:
    office = await uow.offices.get(office_id, for_update=True)
    if office is None:
        raise NotFound("Fant ikke Nav-kontoret.", "office_id")
    return office


async def register_office(cmd: c.RegisterOffice, uow: IntakeUnitOfWork, *, places: Places) -> Office:
    _admin(cmd.actor)
    await uow.offices.lock()
    office = Office.register(cmd.details, places=places, taken=await uow.offices.ids())
    await uow.offices.add(office)  # the same name in the municipality: Conflict on `name`
    log.info("office_registered", office_id=office.id, municipality=office.municipality)
    return office


async def change_office(cmd: c.ChangeOffice, uow: IntakeUnitOfWork, *, places: Places) -> Office:
    _admin(cmd.actor)
    await uow.offices.lock()
    office = await _office(uow, cmd.office_id)
    if office.change(cmd.details, places=places):
        await uow.offices.save(office)
        log.info("office_changed", office_id=office.id)
    return office


async def close_office(cmd: c.CloseOffice, uow: IntakeUnitOfWork) -> Office:
    _admin(cmd.actor)
    office = await _office(uow, cmd.office_id)
    office.close()
    await uow.offices.save(office)
    log.info("office_closed", office_id=office.id)
    return office


async def import_offices(cmd: c.ImportOffices, uow: IntakeUnitOfWork, *, places: Places) -> ImportResult:
    """Check every row, then register the new offices and change the changed ones. One bad row writes nothing
    unless `partial`; a dry run writes nothing and lists every problem."""
    _admin(cmd.actor)
    await uow.offices.lock()
    registry = {o.key: o for o in await uow.offices.all()}
    rows, rejected = [], []
    for line, row in cmd.rows:
        checked = office_import.check_row(line, row, places)
        (rejected if isinstance(checked, office_import.RowError) else rows).append(checked)
    planned, twice = office_import.plan(rows, registry)
    rejected = sorted(rejected + twice, key=lambda e: e.line)
    write = not cmd.dry_run and (cmd.partial or not rejected)
    taken = {o.id for o in registry.values()}
    done = []
    for p in planned:
        office = p.office
        if p.outcome == "registered":
            if write:
                office = Office.register(p.details, places=places, taken=taken)
                await uow.offices.add(office)
                office_id = office.id
            else:
                office_id = new_id(p.details.name, p.details.municipality, taken)
            taken.add(office_id)
        else:
            office_id = office.id
            if write and p.outcome == "changed" and office.change(p.details, places=places):
                await uow.offices.save(office)
        done.append(ImportedOffice(p.line, office_id, p.details.name, p.details.municipality, p.outcome))
    result = ImportResult(len(cmd.rows), done, rejected, write and any(o.outcome != "unchanged" for o in done),
                          cmd.dry_run, cmd.partial)
    log.info("offices_imported", rows=result.rows, registered=result.count("registered"),
             changed=result.count("changed"), unchanged=result.count("unchanged"), rejected=len(rejected),
             dry_run=cmd.dry_run, written=result.written)
    return result


HANDLERS = {c.RegisterOffice: register_office, c.ChangeOffice: change_office, c.CloseOffice: close_office,
            c.ImportOffices: import_offices}
