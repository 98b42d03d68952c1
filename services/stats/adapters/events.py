"""Stats publishes no events of its own yet."""

from collections.abc import Iterable

import contracts


def translate(event: object) -> Iterable[contracts.IntegrationEvent]:
    raise TypeError(f"stats publishes no events ({type(event).__name__})")
