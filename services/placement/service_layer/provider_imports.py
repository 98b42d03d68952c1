"""The providers import's handler (botilbud providers import, the providers page's upload): every row checked,
then every registration and change made through the same use cases as the provider's page, in one transaction
— so the events are the very same (ProviderRegistered / ProviderChanged, UnitRegistered / UnitChanged and the
unit's CapacityChanged)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from kit.logging import get_logger
from services.placement.domain import commands, provider_import
from services.placement.domain.history import RowError
from services.placement.domain.provider_import import ProviderDetails, Step
from services.placement.service_layer import providers
from services.placement.service_layer.unit_of_work import PlacementUnitOfWork

log = get_logger(__name__)


@dataclass(frozen=True)
class ProvidersImportResult:
    rows: int
    steps: list[Step]  # what the import did (or, in a dry run, would do), unchanged ones too
    rejected: list[RowError]
    written: bool
    dry_run: bool

    def count(self, action: str) -> int:
        return sum(1 for s in self.steps if s.action == action)


async def import_providers(cmd: commands.ImportProviders, uow: PlacementUnitOfWork, *, now: Callable[[], datetime],
                           municipalities: Collection[str]) -> ProvidersImportResult:
    """Check every row (each of its problems), then across rows, then plan against what is registered. One bad
    row writes nothing unless `partial` (then the good rows go in); a dry run writes nothing. `municipalities`:
    the known kommunenummer (bootstrap binds the reference data's)."""
    await uow.providers.lock_imports()
    checked: list[provider_import.ProviderRow] = []
    errors: list[RowError] = []
    for line, row in cmd.rows:
        result = provider_import.check_row(line, row, municipalities=municipalities)
        if isinstance(result, list):
            errors += result
        else:
            checked.append(result)
    good, clashes = provider_import.check_together(checked)
    steps, unclear = provider_import.plan(good, await uow.providers.all(), await uow.providers.all_units())
    errors = sorted(errors + clashes + unclear, key=lambda e: e.line)
    write = not cmd.dry_run and (cmd.partial or not errors)
    if write:
        registered: dict[str, UUID] = {}
        for step in steps:
            await _carry_out(step, uow, now, registered, municipalities)
    log.info("providers_imported", rows=len(cmd.rows), changes=sum(s.changes for s in steps), rejected=len(errors),
             dry_run=cmd.dry_run, written=write)
    return ProvidersImportResult(len(cmd.rows), steps, errors, write and any(s.changes for s in steps), cmd.dry_run)


def _provider_command(p: ProviderDetails) -> commands.RegisterProvider:
    a, lim = p.agreement, p.limits
    return commands.RegisterProvider(p.name, p.orgnr, p.kind, p.municipality, p.district, p.address,
                                     p.accommodation, a.kind, a.price_per_night, a.fixed_places, a.valid_from,
                                     a.valid_to, a.target_groups, lim.sex, lim.min_age, lim.max_age,
                                     lim.substance_free, p.email)


async def _carry_out(step: Step, uow: PlacementUnitOfWork, now: Callable[[], datetime],
                     registered: dict[str, UUID], municipalities: Collection[str]) -> None:
    """One step through the page's use case."""
    match step.action:
        case "register_provider":
            registered[step.provider.orgnr] = (await providers.register_provider(
                _provider_command(step.provider), uow, municipalities=municipalities)).id
        case "change_provider":
            await providers.change_provider(commands.ChangeProvider(step.provider_id,
                                                                    _provider_command(step.provider)), uow,
                                            municipalities=municipalities)
        case "register_unit":
            u = step.unit
            await providers.register_unit(commands.RegisterUnit(
                step.provider_id or registered[step.provider.orgnr], u.name, u.beds, u.address,
                dict(u.facilities)), uow, now=now)
        case "change_unit":
            u = step.unit
            await providers.change_unit(commands.ChangeUnit(
                step.unit_id, u.name, u.beds, dict(u.facilities), u.address or step.provider.address), uow, now=now)
