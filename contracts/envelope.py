"""The envelope of an event on the wire: CloudEvents 1.0 Kafka protocol binding, binary content mode.

The body is the event's JSON `data`; the attributes travel as `ce_*` headers; the Kafka key is the
aggregate id (CloudEvents `partitionkey` extension, mirrored in `ce_subject`). An event created while a trace
runs carries that trace's W3C context in the distributed-tracing extension (`ce_traceparent`, `ce_tracestate`),
set once where the event is made and never changed after; an event without them is just as valid."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from contracts.base import IntegrationEvent
from contracts.registry import event_class

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"


class EnvelopeError(ValueError):
    """A message that is not a valid v1 event; `reason` is a short code for the dead-letter header."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class Envelope(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: UUID = Field(default_factory=uuid4, description="Unique event id (ce_id); consumers dedupe on it.")
    type: str = Field(description="Event type with version (ce_type).")
    source: str = Field(description="Producing service (ce_source), e.g. /botilbud/placement.")
    time: datetime = Field(default_factory=lambda: datetime.now(UTC), description="ce_time")
    correlation_id: str = Field(description="Follows one piece of work across services.")
    key: str = Field(description="Aggregate id; the Kafka key and ce_subject.")
    data: IntegrationEvent
    traceparent: str | None = Field(None, description="W3C trace context the event was created in (ce_traceparent).")
    tracestate: str | None = Field(None, description="W3C trace state beside it (ce_tracestate).")

    @classmethod
    def wrap(cls, event: IntegrationEvent, *, source: str, correlation_id: str,
             event_id: UUID | None = None) -> Envelope:
        """The event in an envelope; `event_id` when the producer derives it (else a new one)."""
        return cls(id=event_id or uuid4(), type=event.event_type, source=source, correlation_id=correlation_id,
                   key=event.aggregate_id(), data=event, **_current_trace_context())

    def headers(self) -> dict[str, str]:
        return {
            "ce_specversion": SPEC_VERSION,
            "ce_id": str(self.id),
            "ce_type": self.type,
            "ce_source": self.source,
            "ce_time": self.time.isoformat(),
            "ce_subject": self.key,
            "ce_correlationid": self.correlation_id,
            "content-type": CONTENT_TYPE,
        } | {f"ce_{name}": value for name in ("traceparent", "tracestate") if (value := getattr(self, name))}

    def body(self) -> bytes:
        return self.data.model_dump_json().encode()

    @classmethod
    def parse(cls, headers: dict[str, str], body: bytes, key: bytes | None = None) -> Envelope:
        """Read a message off the wire. Raises EnvelopeError naming what is wrong."""
        missing = [h for h in ("ce_id", "ce_type", "ce_source") if not headers.get(h)]
        if missing:
            raise EnvelopeError("missing_headers", f"missing CloudEvents headers {missing}")
        model = event_class(headers["ce_type"])
        if model is None:
            raise EnvelopeError("unknown_type", f"unknown event type {headers['ce_type']!r}")
        try:
            data = model.model_validate_json(body)
        except ValidationError as exc:
            raise EnvelopeError("schema_violation", _short(exc)) from exc
        try:
            return cls(
                id=UUID(headers["ce_id"]),
                type=headers["ce_type"],
                source=headers["ce_source"],
                time=datetime.fromisoformat(headers["ce_time"]) if headers.get("ce_time")
                else datetime.now(UTC),
                correlation_id=headers.get("ce_correlationid") or headers["ce_id"],
                key=headers.get("ce_subject") or (key or b"").decode() or data.aggregate_id(),
                data=data,
                traceparent=headers.get("ce_traceparent") or None,
                tracestate=headers.get("ce_tracestate") or None,
            )
        except (ValueError, ValidationError) as exc:
            raise EnvelopeError("bad_headers", str(exc)[:300]) from exc


def _current_trace_context() -> dict[str, str]:
    """The W3C trace context of the work in hand when a span is current (tracing on: kit/tracing.py). Where
    OpenTelemetry's API is not even loaded no span can be current, and this costs a dictionary look-up; where
    it is loaded but no span is current, a look-up of the current span (a history import wraps 100,000 events)."""
    trace = sys.modules.get("opentelemetry.trace")
    if trace is None or not trace.get_current_span().get_span_context().is_valid:
        return {}  # no span is current (the propagator would find none either): the cheap way, per event
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    carrier: dict[str, str] = {}
    TraceContextTextMapPropagator().inject(carrier)
    return {k: v for k, v in carrier.items() if k in ("traceparent", "tracestate")}


def _short(exc: ValidationError) -> str:
    parts = [f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()[:5]]
    return "; ".join(parts)[:500]
