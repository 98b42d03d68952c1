"""The kit's own Prometheus metrics. Labels are few and bounded: service, topic, reason, route template."""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from prometheus_client import Counter, Gauge, Histogram

from kit.logging import get_logger

OUTBOX_BACKLOG = Gauge(
    "botilbud_outbox_backlog", "Outbox rows written but not yet acknowledged by the broker.", ["service"])
OUTBOX_PUBLISHED = Counter(
    "botilbud_outbox_published_total", "Events the outbox relay published and saw acknowledged.", ["service"])
OUTBOX_PUBLISH_ERRORS = Counter(
    "botilbud_outbox_publish_errors_total", "Failed relay rounds (retried with backoff).", ["service"])
EVENTS_HANDLED = Counter(
    "botilbud_events_handled_total", "Events consumed, by outcome.", ["service", "topic", "outcome"])
EVENT_HANDLING_SECONDS = Histogram(
    "botilbud_event_handling_seconds", "Time to handle one event, retries included.", ["service", "topic"])
DEAD_LETTERS = Counter(
    "botilbud_dead_letters_total", "Events sent to the dead-letter topic.", ["service", "topic", "reason"])
CONSUMER_LAG_SECONDS = Gauge(
    "botilbud_consumer_lag_seconds", "Age of the last event handled when it was handled.",
    ["service", "topic"])
EVENT_AGE_SECONDS = Histogram(
    "botilbud_event_age_seconds", "Age of each event (since its state change was committed) when its effect was "
    "committed here: every event's consumer lag, not a sample.", ["service", "topic"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0))
OUTBOX_REPUBLISHED = Counter(
    "botilbud_outbox_republished_total", "Events the relay published again for a broker that may have lost them "
    "(a republish: every start of the embedded stack, or `botilbud outbox republish`).", ["service"])
DEAD_LETTERS_STORED = Counter(
    "botilbud_dead_letters_stored_total", "Dead letters written to the consuming service's database.",
    ["service", "reason"])
RETENTION_PRUNED = Counter(
    "botilbud_retention_pruned_total", "Rows deleted by the retention job (published outbox rows, inbox claims).",
    ["service", "table"])
HTTP_REQUESTS = Counter(
    "botilbud_http_requests_total", "HTTP requests.", ["service", "method", "route", "status"])
HTTP_REQUEST_SECONDS = Histogram(
    "botilbud_http_request_seconds", "HTTP request duration.", ["service", "method", "route"])


def every(seconds: float, refresh: Callable[[], Awaitable[None]], name: str
          ) -> Callable[[asyncio.Event], Awaitable[None]]:
    """A background job (`ServiceParts.background`) that refreshes gauges every few seconds until the runtime
    stops (it finishes the round in hand, so no query is cut off). A failed round is logged and the gauges wait
    for the next one; the service goes on."""
    log = get_logger(name)

    async def loop(stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            try:
                await refresh()
            except Exception as exc:
                log.warning("gauge_refresh_failed", job=name, error=repr(exc)[:200])
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), seconds)

    return loop


def set_all(gauge: Gauge, values: dict[tuple[str, ...], float]) -> None:
    """Set a labelled gauge to exactly these series: label sets seen before but absent now read zero."""
    for labels in set(gauge._metrics) - set(values):
        gauge.labels(*labels).set(0)
    for labels, value in values.items():
        gauge.labels(*labels).set(value)
LOGIN_THROTTLED = Counter(
    "botilbud_login_throttled_total", "Login attempts refused without checking the password: too many recent "
    "failures for the user or from the client address.", ["reason"])
