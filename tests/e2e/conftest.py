"""The browser tests' screenshots: one folder per test run (`BOTILBUD_SCREENSHOTS` names it, else one under the
run's temporary root), whose path and the axe-core tally the run prints at its end."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest


@dataclass
class Screenshots:
    folder: Path
    pages: int = 0
    impacts: Counter = field(default_factory=Counter)
    """Every axe-core violation's nodes counted by impact (minor, moderate, serious, critical)."""


_RUN: list[Screenshots] = []


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Screenshots:
    named = os.environ.get("BOTILBUD_SCREENSHOTS")
    folder = Path(named).resolve() if named else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    shots = Screenshots(folder)
    _RUN.append(shots)
    return shots


def pytest_terminal_summary(terminalreporter):
    for shots in _RUN:
        terminalreporter.write_sep("-", "screenshots")
        terminalreporter.write_line(f"Screenshots of {shots.pages} pages: {shots.folder}")
        tally = ", ".join(f"{impact} {shots.impacts[impact]}" for impact in ("critical", "serious", "moderate",
                                                                             "minor"))
        terminalreporter.write_line(f"axe-core (WCAG 2.1 A/AA) violations by impact, in elements: {tally}")
