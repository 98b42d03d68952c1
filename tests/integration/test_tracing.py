"""Tracing on the real stack: one placement request is one trace, from the HTTP request through the outbox and
the broker into billing's and stats' consumers (spans kept by the SDK's in-memory exporter)."""

from datetime import timedelta

import httpx
import pytest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from botilbud.stack import definitions
from contracts import HouseholdPlaced, Topic
from kit import clock, tracing
from kit.auth import UserDirectory
from kit.runtime import Runtime
from tests.conftest import eventually, granted_decision

pytestmark = pytest.mark.integration


@pytest.fixture
async def traced_stack(settings):
    exporter = InMemorySpanExporter()
    provider = tracing.provider("botilbud-test", SimpleSpanProcessor(exporter))
    runtime = Runtime(settings, definitions("all"), bootstrap=settings.kafka_bootstrap,
                      users=UserDirectory.load(settings.users_file), secret=settings.secret_key.get_secret_value(),
                      tracer_provider=provider)
    await runtime.start()
    try:
        yield runtime, exporter
    finally:
        await runtime.stop()
        provider.shutdown()


async def test_a_placement_is_one_trace_from_the_request_into_billing_and_stats(traced_stack):
    stack, exporter = traced_stack
    today = clock.today()
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        worker, decision_id = await granted_decision(client, period_from=today - timedelta(days=2),
                                                     period_to=today + timedelta(days=20))
        unit = (await client.get(f"/placement/api/decisions/{decision_id}/matches",
                                 headers=worker)).json()["fits"][0]
        placed = await client.post("/placement/api/stays", headers=worker, json={
            "decision_id": decision_id, "unit_id": unit["unit_id"], "check_in": str(today - timedelta(days=1))})
        assert placed.status_code == 201, placed.text

    [request] = [s for s in exporter.get_finished_spans()
                 if s.kind == SpanKind.SERVER and s.name.startswith("POST") and "/stays" in s.name]
    trace_id = request.context.trace_id

    def handled(spans, service: str) -> list:
        return [s for s in spans if s.kind == SpanKind.CONSUMER
                and s.attributes.get("messaging.consumer.group.name") == service
                and s.attributes.get("cloudevents.event_type") == HouseholdPlaced.event_type]

    def published(spans, topic: Topic) -> list:
        return [s for s in spans if s.kind == SpanKind.PRODUCER
                and s.attributes.get("messaging.destination.name", "").endswith(topic.value)]

    async def whole_trace():
        spans = [s for s in exporter.get_finished_spans() if s.context.trace_id == trace_id]
        done = handled(spans, "billing") and handled(spans, "stats") and published(spans, Topic.REQUISITION)
        return spans if done else None

    spans = await eventually(whole_trace)
    by_id = {s.context.span_id: s for s in spans}
    # The request's queries are inside the request: the stay and its outbox row were written in this trace.
    assert any(s.kind == SpanKind.CLIENT and "INSERT" in s.name for s in spans), sorted(s.name for s in spans)
    # The outbox relay published the placement's event in the request's trace, as a child of the request.
    [publish] = published(spans, Topic.STAY)
    assert publish.parent.span_id == request.context.span_id
    # Billing and stats each handled that event in the same trace (its parent: the context the event was made in).
    for service in ("billing", "stats"):
        [consumed] = handled(spans, service)
        assert consumed.parent.span_id in by_id, f"{service}'s span hangs outside the trace"
    # And billing's requisition, issued on that event, was published in the same trace.
    [requisition] = published(spans, Topic.REQUISITION)
    assert by_id[requisition.parent.span_id] == handled(spans, "billing")[0]
