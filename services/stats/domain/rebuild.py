"""When a rebuilt set of projections may replace the current one. Pure.

A rebuild builds new projections aside from the event log and swaps them in only if they hold every event the
current projections hold: a log that lost events (a broker restarted without its history, a retention that
dropped old ones) would otherwise turn good numbers into smaller ones."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from services.stats.domain.errors import Conflict


@dataclass(frozen=True)
class ReplayTally:
    """What a rebuild saw, beside what stats had applied already."""

    events_read: int
    """Records read off the log (an event published twice counts twice)."""
    in_log: int
    """Distinct events the new projections hold (the replay's and the live consumer's during the rebuild)."""
    applied: int
    """Distinct events the current projections hold."""
    missing: int
    """Events the current projections hold and the new ones lack."""

    @property
    def complete(self) -> bool:
        return self.missing == 0


@dataclass(frozen=True)
class RebuildOutcome:
    rebuild_id: UUID
    tally: ReplayTally

    @property
    def swapped(self) -> bool:
        return self.tally.complete


class RebuildRunning(Conflict):
    def __init__(self) -> None:
        super().__init__("En gjenoppbygging av statistikken pågår allerede (i denne eller en annen prosess). "
                         "Vent til den er ferdig, og prøv igjen om nødvendig.")


class IncompleteLog(Conflict):
    """The replay lacked events stats had applied: the new projections were thrown away."""

    def __init__(self, tally: ReplayTally) -> None:
        super().__init__(refusal(tally))
        self.tally = tally


def refusal(tally: ReplayTally) -> str:
    """Why a rebuild kept the current numbers, for the page, the API and the rebuild history."""
    return (f"Gjenoppbyggingen ble ikke tatt i bruk, og tallene er som før: hendelsesloggen manglet "
            f"{tally.missing} av de {tally.applied} hendelsene statistikken allerede har regnet med "
            f"(loggen hadde {tally.in_log}). Kanskje ble meldingsmegleren startet på nytt uten historikken; "
            "prøv igjen når tjenestene har sendt alle hendelsene sine på nytt.")
