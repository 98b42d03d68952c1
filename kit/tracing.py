"""OpenTelemetry traces from the HTTP request through the outbox and Kafka into every consumer.

Off unless configured: without an OTLP endpoint in the environment (`OTEL_EXPORTER_OTLP_ENDPOINT` or
`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, the standard variables) and without a tracer provider handed in, `start`
returns hooks that hand back what they are given and nothing of OpenTelemetry is imported. When on:

- the web app is instrumented (FastAPI/ASGI): one server span per request (health and metrics left out);
- asyncpg queries are client spans inside the request or event in hand; a query outside any trace (the
  outbox relay's polling, the gauges) starts none (`_no_lone_queries`);
- every event written to the outbox carries the trace context it was created in, in the CloudEvents
  distributed-tracing extension (`ce_traceparent`, `ce_tracestate`; `contracts/envelope.py`);
- the outbox relay's publish of an event is a producer span in the event's trace (`_TracedProducer`);
- FastStream's telemetry middleware traces each consumer's batches and the dead-letter publishes, and each
  event's handling is a consumer span whose parent is the event's trace context (OpenTelemetry's CloudEvents
  conventions) and which links to its batch. So one placement request is one trace: the request, its
  outbox publish, billing's and stats' handling, and on through the events those raise.

Spans carry ids and route templates, never personal data: query parameters are not captured, and no URL
holds personal data (the standards)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from kit.messaging import Subscription

TRACE_HEADERS = ("ce_traceparent", "ce_tracestate")  # CloudEvents distributed-tracing extension, Kafka binding
NOT_TRACED_URLS = "healthz,readyz,metrics"


class Tracing:
    """Tracing switched off: every hook hands back what it was given."""

    enabled = False

    def app(self, app):
        return app

    def broker_middlewares(self) -> list:
        return []

    def producer(self, producer):
        return producer

    def subscriptions(self, service: str, subscriptions: list[Subscription], topic=str) -> list[Subscription]:
        return subscriptions

    def shutdown(self) -> None:
        pass


def configured() -> bool:
    """Is an OTLP endpoint set in the environment (and the SDK not disabled)?"""
    if os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    if os.environ.get("OTEL_TRACES_EXPORTER", "otlp").strip().lower() == "none":
        return False
    return bool(os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"))


def start(service_name: str, tracer_provider=None) -> Tracing:
    """The tracing hooks of a process: with the given provider (tests hand in one with an in-memory exporter),
    else with an OTLP exporter when one is configured, else switched off."""
    if tracer_provider is None:
        if not configured():
            return Tracing()
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        return OpenTelemetryTracing(provider(service_name, BatchSpanProcessor(OTLPSpanExporter())), owned=True)
    return OpenTelemetryTracing(tracer_provider)


def provider(service_name: str, *processors):
    """An SDK tracer provider for this process: `service.name` (OTEL_SERVICE_NAME wins), and no trace that is
    only a database query."""
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.sampling import ParentBased

    resource = Resource.create({} if os.environ.get("OTEL_SERVICE_NAME") else {"service.name": service_name})
    tracer_provider = TracerProvider(resource=resource, sampler=ParentBased(root=_no_lone_queries()))
    for processor in processors:
        tracer_provider.add_span_processor(processor)
    return tracer_provider


def _no_lone_queries():
    """The sampler of root spans: one that is a database query (the relay's polling, the gauges) is dropped,
    any other is kept. Children follow their parent (`ParentBased`)."""
    from opentelemetry.sdk.trace.sampling import ALWAYS_ON, Decision, Sampler, SamplingResult
    from opentelemetry.trace import SpanKind

    class NoLoneQueries(Sampler):
        def should_sample(self, parent_context, trace_id, name, kind=None, attributes=None, links=None,
                          trace_state=None):
            if kind == SpanKind.CLIENT and attributes and ("db.system" in attributes or "db.system.name" in attributes):
                return SamplingResult(Decision.DROP)
            return ALWAYS_ON.should_sample(parent_context, trace_id, name, kind, attributes, links, trace_state)

        def get_description(self) -> str:
            return "NoLoneQueries"

    return NoLoneQueries()


class OpenTelemetryTracing(Tracing):
    """Tracing on, into the given provider (see the module's doc for what is traced). asyncpg is instrumented
    for the life of this object (the instrumentation patches the driver for the whole process)."""

    enabled = True

    def __init__(self, tracer_provider, *, owned: bool = False) -> None:
        from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

        self.provider = tracer_provider
        self._owned = owned
        self.tracer = tracer_provider.get_tracer("botilbud.kit")
        self._asyncpg = AsyncPGInstrumentor()
        self._asyncpg.instrument(tracer_provider=tracer_provider)

    def app(self, app):
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

        app.add_middleware(_NameSpanByRoute)
        FastAPIInstrumentor.instrument_app(app, tracer_provider=self.provider, excluded_urls=NOT_TRACED_URLS,
                                           exclude_spans=["receive", "send"])
        return app

    def broker_middlewares(self) -> list:
        from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware

        return [KafkaTelemetryMiddleware(tracer_provider=self.provider)]

    def producer(self, producer):
        return _TracedProducer(producer, self.tracer)

    def subscriptions(self, service: str, subscriptions: list[Subscription], topic=str) -> list[Subscription]:
        """Each handler's work a consumer span; `topic` names a subscription's topic on the wire."""
        return [Subscription(s.topic, {cls: self._traced(service, topic(s.topic), handler)
                                       for cls, handler in s.handlers.items()}) for s in subscriptions]

    def _traced(self, service: str, topic: str, handler):
        from opentelemetry import trace
        from opentelemetry.trace import Link, SpanKind

        tracer = self.tracer

        async def handle(envelope) -> None:
            batch = trace.get_current_span().get_span_context()  # FastStream's span of the batch
            with tracer.start_as_current_span(
                    f"{topic} process", context=_extract({"ce_traceparent": envelope.traceparent or "",
                                                          "ce_tracestate": envelope.tracestate or ""}),
                    kind=SpanKind.CONSUMER,
                    links=[Link(batch)] if batch.is_valid else None,
                    attributes={"messaging.system": "kafka", "messaging.operation.type": "process",
                                "messaging.destination.name": topic, "messaging.message.id": str(envelope.id),
                                "messaging.consumer.group.name": service, "cloudevents.event_type": envelope.type,
                                "cloudevents.event_id": str(envelope.id)}):
                await handler(envelope)

        handle.__name__ = getattr(handler, "__name__", "handle")
        return handle

    def shutdown(self) -> None:
        """Export what is still buffered; a provider handed in stays its owner's to shut down."""
        self._asyncpg.uninstrument()
        if self._owned:
            self.provider.shutdown()
        elif hasattr(self.provider, "force_flush"):
            self.provider.force_flush()


class _NameSpanByRoute:
    """The request's span named by its route template (`POST /placement/api/stays`) as the response starts, when
    routing has found it: the instrumentation names it on arrival, knowing only the mount (`POST /placement`)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_named(message) -> None:
            route = getattr(scope.get("route"), "path", None)
            if message["type"] == "http.response.start" and route:
                from opentelemetry import trace

                template = scope.get("root_path", "") + route
                span = trace.get_current_span()
                span.update_name(f"{scope['method']} {template}")
                span.set_attribute("http.route", template)
            await send(message)

        await self.app(scope, receive, send_named)


def _extract(headers: dict[str, str] | Iterable[tuple[str, Any]]):
    """The trace context an event was created in, from its CloudEvents extension headers."""
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    items = headers.items() if isinstance(headers, dict) else headers
    carrier = {}
    for key, value in items:
        if key in TRACE_HEADERS:
            carrier[key.removeprefix("ce_")] = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    return TraceContextTextMapPropagator().extract(carrier)


class _TracedProducer:
    """The outbox relay's producer with each event's publish a producer span in the event's own trace (an event
    written without a trace context is published without a span). Everything else is the producer's."""

    def __init__(self, producer, tracer) -> None:
        self._producer = producer
        self._tracer = tracer

    def __getattr__(self, name: str):
        return getattr(self._producer, name)

    async def send(self, topic: str, value=None, key=None, headers=None, **kwargs):
        from opentelemetry.trace import SpanKind, Status, StatusCode

        parent = _extract(headers or ())
        if not parent:
            return await self._producer.send(topic, value=value, key=key, headers=headers, **kwargs)
        event_id = next((v.decode() for k, v in headers if k == "ce_id"), None)
        span = self._tracer.start_span(
            f"{topic} publish", context=parent, kind=SpanKind.PRODUCER,
            attributes={"messaging.system": "kafka", "messaging.operation.type": "send",
                        "messaging.destination.name": topic, "messaging.message.id": event_id or ""})
        try:
            future = await self._producer.send(topic, value=value, key=key, headers=headers, **kwargs)
        except BaseException as exc:
            span.record_exception(exc)
            span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
            span.end()
            raise

        def acknowledged(done) -> None:  # the span lasts until the broker acknowledged the event
            if done.cancelled() or done.exception() is not None:
                span.set_status(Status(StatusCode.ERROR, "not acknowledged"))
            span.end()

        future.add_done_callback(acknowledged)
        return future
