"""Placement's domain events, recorded by the aggregates themselves (`Aggregate.record`) and collected by the unit
of work at commit; `adapters/events.py` turns them into wire events. Each carries a snapshot of what it is
about, so a later change in the same unit of work cannot alter what was announced."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.placement.domain.model import GrantedDecision, Stay
    from services.placement.domain.providers import Provider, Unit


class Aggregate:
    """An aggregate records its own domain events; the unit of work collects (and clears) them at commit."""

    events: list[object]

    def record(self, event: object) -> None:
        self.events.append(event)


def recorded() -> list[object]:
    return field(default_factory=list, init=False, repr=False, compare=False)


@dataclass(frozen=True)
class HouseholdPlaced:
    stay: Stay
    decision: GrantedDecision
    provider: Provider
    unit: Unit


@dataclass(frozen=True)
class StayExtended:
    stay: Stay
    previous_authorised_to: date
    at: datetime
    conditions: tuple[str, ...] = ()  # the new decision's


@dataclass(frozen=True)
class HouseholdMovedOut:
    stay: Stay


@dataclass(frozen=True)
class CapacityChanged:
    provider: Provider
    unit: Unit
    households: int  # 0 or 1: the unit is free or taken
    at: datetime


@dataclass(frozen=True)
class ProviderRegistered:
    provider: Provider


@dataclass(frozen=True)
class ProviderChanged:
    provider: Provider


@dataclass(frozen=True)
class UnitRegistered:
    unit: Unit


@dataclass(frozen=True)
class UnitChanged:
    unit: Unit
