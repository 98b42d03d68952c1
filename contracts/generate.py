"""Generates the JSON Schema of every v1 event and the AsyncAPI document (by FastStream) from the models.
CI runs `botilbud contracts check` so the checked-in files never drift from the code."""

from __future__ import annotations

import json
from pathlib import Path

from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI

from contracts.registry import EVENT_TYPES


def _dump(obj) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def render() -> dict[str, str]:
    files: dict[str, str] = {}
    for event_type, model in sorted(EVENT_TYPES.items()):
        schema = model.model_json_schema()
        schema["$id"] = f"urn:botilbud:event:{event_type}"
        schema["x-topic"] = model.topic.value
        schema["x-key"] = model.key_field
        files[f"schemas/{event_type}.json"] = _dump(schema)
    broker = KafkaBroker("kafka:9092")
    for event_type, model in sorted(EVENT_TYPES.items()):
        broker.publisher(model.topic.value, title=f"{event_type}", schema=model,
                         description=(model.__doc__ or "").strip().split("\n")[0] +
                         f" Key: {model.key_field}. Envelope: CloudEvents ce_* headers, ce_type={event_type}.")
    spec = AsyncAPI(broker, title="Botilbud events", version="1",
                    description="v1 integration events of the Botilbud services.", schema_version="3.0.0")
    files["asyncapi.json"] = _dump(json.loads(spec.to_specification().to_json()))
    return files


def write_all(out: Path) -> list[Path]:
    written = []
    for name, text in render().items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def stale_files(out: Path) -> list[str]:
    expected = render()
    stale = [name for name, text in expected.items()
             if not (out / name).exists() or (out / name).read_text(encoding="utf-8") != text]
    if (out / "schemas").exists():
        stale += [f"schemas/{p.name} (no such event)" for p in (out / "schemas").glob("*.json")
                  if f"schemas/{p.name}" not in expected]
    return stale
