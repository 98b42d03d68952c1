"""Nav offices, read from the reference data the project ships (demo/reference.json)."""

import json
from functools import lru_cache
from pathlib import Path

from services.intake.domain.model import Office

REFERENCE_FILE = Path(__file__).resolve().parents[3] / "demo" / "reference.json"


@lru_cache
def load_offices(path: Path = REFERENCE_FILE) -> dict[str, Office]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {
        o["id"]: Office(o["id"], o["name"], o["municipality"], o.get("district"),
                        bool(o.get("requires_second_approval", False)))
        for o in raw["offices"]
    }
