"""Tracing without a stack: off unless configured, the trace context an event is made in travels in its
CloudEvents headers (and old events without it stay valid), and log lines name the trace and span."""

import json
import subprocess
import sys
import uuid
from datetime import date

import pytest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from contracts import Envelope, HouseholdMovedOut
from kit import tracing
from kit.logging import configure_logging, get_logger


def moved_out() -> HouseholdMovedOut:
    return HouseholdMovedOut(stay_id=uuid.uuid4(), household_id=uuid.uuid4(), check_out=date(2025, 3, 6),
                             destination="municipal_rental")


@pytest.fixture
def tracer_provider():
    exporter = InMemorySpanExporter()
    provider = tracing.provider("botilbud-test", SimpleSpanProcessor(exporter))
    provider.exporter = exporter
    yield provider
    provider.shutdown()


@pytest.fixture
def no_otel_environment(monkeypatch):
    for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_SDK_DISABLED",
                 "OTEL_TRACES_EXPORTER"):
        monkeypatch.delenv(name, raising=False)


def test_off_unless_an_otlp_endpoint_is_configured(no_otel_environment, monkeypatch):
    assert not tracing.start("botilbud").enabled
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
    assert tracing.configured()
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    assert not tracing.configured()


def test_switched_off_the_sdk_and_instrumentations_are_not_even_imported():
    code = ("import sys, kit.runtime, kit.tracing, botilbud.stack\n"
            "assert not kit.tracing.start('botilbud').enabled\n"
            "print(sorted(m for m in sys.modules if m.startswith(('opentelemetry.sdk', 'opentelemetry.instrumentation',"
            " 'opentelemetry.exporter', 'faststream.opentelemetry'))))")
    env = {"PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_an_event_made_in_a_span_carries_its_trace_context(tracer_provider):
    tracer = tracer_provider.get_tracer("test")
    with tracer.start_as_current_span("request") as span:
        envelope = Envelope.wrap(moved_out(), source="/botilbud/placement", correlation_id="c-1")
    trace_id = format(span.get_span_context().trace_id, "032x")
    headers = envelope.headers()
    assert headers["ce_traceparent"].split("-")[1] == trace_id
    assert Envelope.parse(headers, envelope.body()).traceparent == headers["ce_traceparent"]


def test_an_event_without_trace_context_is_valid_and_has_no_trace_headers():
    envelope = Envelope.wrap(moved_out(), source="/botilbud/placement", correlation_id="c-1")
    headers = envelope.headers()
    assert not {"ce_traceparent", "ce_tracestate"} & set(headers)
    received = Envelope.parse(headers, envelope.body())
    assert received.traceparent is None and received.data == envelope.data


async def test_a_consumer_continues_the_trace_the_event_was_made_in(tracer_provider):
    tracer = tracer_provider.get_tracer("test")
    with tracer.start_as_current_span("request") as request:
        sent = Envelope.wrap(moved_out(), source="/botilbud/placement", correlation_id="c-1")
    handled = []

    async def handler(envelope):
        handled.append(envelope.id)

    traced = tracing.OpenTelemetryTracing(tracer_provider)
    try:
        [subscription] = traced.subscriptions("billing", [tracing.Subscription("botilbud.placement.stay.v1", {
            HouseholdMovedOut: handler})], topic=lambda name: f"ns.{name}")
        received = Envelope.parse(sent.headers(), sent.body())
        await subscription.handlers[HouseholdMovedOut](received)
    finally:
        traced._asyncpg.uninstrument()
    assert handled == [sent.id]
    [consumed] = [s for s in tracer_provider.exporter.get_finished_spans() if s.kind == SpanKind.CONSUMER]
    assert consumed.name == "ns.botilbud.placement.stay.v1 process"
    assert consumed.parent.span_id == request.get_span_context().span_id
    assert consumed.context.trace_id == request.get_span_context().trace_id
    assert consumed.attributes["messaging.consumer.group.name"] == "billing"


@pytest.fixture
def logging_restored():
    yield
    configure_logging("INFO", json=True)  # as tests/conftest.py has it, on the real stderr again


def test_log_lines_name_the_trace_and_span_they_were_written_in(logging_restored, tracer_provider, capsys):
    configure_logging("INFO", json=True)  # onto the captured stderr
    log = get_logger("test.tracing")
    with tracer_provider.get_tracer("test").start_as_current_span("work") as span:
        log.info("inside")
    log.info("outside")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    inside, outside = (next(x for x in lines if x["event"] == e) for e in ("inside", "outside"))
    context = span.get_span_context()
    assert (inside["trace_id"], inside["span_id"]) == (format(context.trace_id, "032x"),
                                                     format(context.span_id, "016x"))
    assert "trace_id" not in outside
