"""Builds the Grafana dashboards under deploy/grafana/dashboards/ from one description, so the four service
dashboards stay alike. Run `python deploy/grafana/build_dashboards.py` after a change and commit the JSON;
`--check` fails when the committed files differ (tests/deploy runs it).

Only metrics the services really export are used (tests/deploy/test_dashboards.py compares every name in
these queries with a running stack's /metrics); what the domain dashboard cannot show yet is said on it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "dashboards"
DATASOURCE = {"type": "prometheus", "uid": "prometheus"}
RATE = "$__rate_interval"
CONSUMERS = ("placement", "billing", "stats")  # intake publishes but consumes no topic


class Board:
    def __init__(self, uid: str, title: str, description: str, tags: list[str]):
        self.uid, self.title, self.description, self.tags = uid, title, description, tags
        self.panels: list[dict] = []
        self.variables: list[dict] = []
        self.y = 0
        self.x = 0

    def _place(self, width: int, height: int) -> dict:
        if self.x + width > 24:
            self.x, self.y = 0, self.y + height
        pos = {"x": self.x, "y": self.y, "w": width, "h": height}
        self.x += width
        return pos

    def row(self, title: str) -> None:
        if self.x:
            self.x, self.y = 0, self.y + 8
        self.panels.append({"type": "row", "title": title, "collapsed": False, "id": len(self.panels) + 1,
                            "gridPos": {"x": 0, "y": self.y, "w": 24, "h": 1}, "panels": []})
        self.y += 1

    def panel(self, title: str, targets: list[tuple[str, str]], *, unit: str = "short", kind: str = "timeseries",
              width: int = 12, height: int = 8, description: str = "", thresholds: list[tuple[float, str]] = ()):
        steps = [{"color": "green", "value": None}] + [{"color": c, "value": v} for v, c in thresholds]
        self.panels.append({
            "id": len(self.panels) + 1, "type": kind, "title": title, "description": description,
            "datasource": DATASOURCE, "gridPos": self._place(width, height),
            "fieldConfig": {"defaults": {"unit": unit, "thresholds": {"mode": "absolute", "steps": steps}},
                            "overrides": []},
            "options": {"legend": {"displayMode": "table", "placement": "bottom", "showLegend": True}}
            if kind == "timeseries" else {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}},
            "targets": [{"refId": chr(ord("A") + i), "datasource": DATASOURCE, "expr": expr, "legendFormat": legend}
                        for i, (expr, legend) in enumerate(targets)],
        })

    def text(self, title: str, content: str, width: int = 24, height: int = 5) -> None:
        self.panels.append({"id": len(self.panels) + 1, "type": "text", "title": title,
                            "gridPos": self._place(width, height),
                            "options": {"mode": "markdown", "content": content}})

    def variable(self, name: str, label: str, metric: str, label_name: str) -> None:
        query = f"label_values({metric}, {label_name})"
        self.variables.append({
            "name": name, "label": label, "type": "query", "datasource": DATASOURCE,
            "query": {"query": query, "refId": "variable"}, "definition": query,
            "includeAll": True, "multi": True, "allValue": ".*", "refresh": 2, "sort": 1,
            "current": {"selected": True, "text": ["All"], "value": ["$__all"]}})

    def json(self) -> dict:
        return {
            "uid": self.uid, "title": self.title, "description": self.description, "tags": self.tags,
            "editable": True, "schemaVersion": 39, "version": 1, "refresh": "30s", "timezone": "browser",
            "time": {"from": "now-6h", "to": "now"}, "graphTooltip": 1,
            "templating": {"list": self.variables}, "annotations": {"list": []}, "links": [
                {"type": "dashboards", "tags": ["botilbud"], "asDropdown": True, "title": "Botilbud"}],
            "panels": self.panels,
        }


def service_board(service: str) -> Board:
    s = f'service="{service}"'
    b = Board(f"botilbud-{service}", f"Botilbud – {service}",
              f"The {service} service: HTTP, event handling, outbox and dead letters.", ["botilbud", "service"])
    b.row("Processes")
    b.panel("Instances up", [(f'sum(up{{job="{service}"}})', "up")], kind="stat", width=6, height=4,
            description="Processes Prometheus scrapes for this service (several share one consumer group).")
    b.panel("Outbox backlog", [(f"max(botilbud_outbox_backlog{{{s}}})", "backlog")], kind="stat", width=6,
            height=4, thresholds=[(1, "yellow"), (100, "red")],
            description="Events committed but not yet acknowledged by the broker.")
    if service in CONSUMERS:
        b.panel("Dead letters (24 h)", [(f"sum(increase(botilbud_dead_letters_total{{{s}}}[24h]))", "dead letters")],
                kind="stat", width=6, height=4, thresholds=[(1, "red")])
    else:
        b.panel("Events published (24 h)", [(f"sum(increase(botilbud_outbox_published_total{{{s}}}[24h]))",
                                             "published")], kind="stat", width=6, height=4)
    b.panel("HTTP 5xx share (5 min)", [(
        f'sum(rate(botilbud_http_requests_total{{{s},status=~"5.."}}[5m])) '
        f"/ sum(rate(botilbud_http_requests_total{{{s}}}[5m]))", "5xx")], kind="stat", unit="percentunit",
        width=6, height=4, thresholds=[(0.01, "yellow"), (0.05, "red")])
    b.row("HTTP")
    b.panel("Requests per second by route", [(
        f"sum by (method, route) (rate(botilbud_http_requests_total{{{s}}}[{RATE}]))", "{{method}} {{route}}")],
        unit="reqps")
    b.panel("Errors per second by status", [(
        f'sum by (status, route) (rate(botilbud_http_requests_total{{{s},status=~"[45].."}}[{RATE}]))',
        "{{status}} {{route}}")], unit="reqps",
        description="4xx are refused input (expected now and then); 5xx are failures.")
    b.panel("Request duration", [
        (f"histogram_quantile(0.5, sum by (le) (rate(botilbud_http_request_seconds_bucket{{{s}}}[{RATE}])))",
         "p50"),
        (f"histogram_quantile(0.95, sum by (le) (rate(botilbud_http_request_seconds_bucket{{{s}}}[{RATE}])))",
         "p95"),
        (f"histogram_quantile(0.99, sum by (le) (rate(botilbud_http_request_seconds_bucket{{{s}}}[{RATE}])))",
         "p99")], unit="s")
    b.panel("Slowest routes (p95)", [(
        f"topk(5, histogram_quantile(0.95, sum by (le, route) "
        f"(rate(botilbud_http_request_seconds_bucket{{{s}}}[{RATE}]))))", "{{route}}")], unit="s")
    if service in CONSUMERS:
        b.row("Events consumed")
        b.panel("Events handled per second", [(
            f"sum by (topic, outcome) (rate(botilbud_events_handled_total{{{s}}}[{RATE}]))", "{{topic}} {{outcome}}")],
            unit="ops")
        b.panel("Event handling duration (p95, retries included)", [(
            f"histogram_quantile(0.95, sum by (le, topic) "
            f"(rate(botilbud_event_handling_seconds_bucket{{{s}}}[{RATE}])))", "{{topic}}")], unit="s")
        b.panel("Event age when handled", [(f"max by (topic) (botilbud_consumer_lag_seconds{{{s}}})", "{{topic}}")],
                unit="s", description="How old the last handled event was: end-to-end delay through the broker.")
        b.panel("Dead letters by reason", [(
            f"sum by (topic, reason) (increase(botilbud_dead_letters_total{{{s}}}[1h]))", "{{topic}} {{reason}}")],
            description="Per hour. Any dead letter needs a look: see docs/operations.md, 'Replay a dead letter'.")
    b.row("Outbox")
    b.panel("Outbox backlog", [(f"max(botilbud_outbox_backlog{{{s}}})", "backlog")],
            description="Growing = the broker does not acknowledge; the rows wait safely in the database.")
    b.panel("Outbox relay", [
        (f"sum(rate(botilbud_outbox_published_total{{{s}}}[{RATE}]))", "published / s"),
        (f"sum(rate(botilbud_outbox_publish_errors_total{{{s}}}[{RATE}]))", "failed rounds / s")], unit="ops")
    return b


def kafka_board() -> Board:
    b = Board("botilbud-kafka", "Botilbud – Kafka consumer lag",
              "Consumer groups' lag from the Kafka exporter, and event age from the services.", ["botilbud", "kafka"])
    b.variable("group", "Consumer group", "kafka_consumergroup_lag", "consumergroup")
    b.panel("Lag by group and topic (messages)", [(
        'sum by (consumergroup, topic) (kafka_consumergroup_lag{consumergroup=~"$group"})',
        "{{consumergroup}} {{topic}}")], width=24,
        description="Messages written but not yet committed by the group. Rising for 10 min fires "
                    "BotilbudConsumerLagGrowing.")
    b.panel("Lag by partition", [(
        'kafka_consumergroup_lag{consumergroup=~"$group"}', "{{consumergroup}} {{topic}}/{{partition}}")],
        description="One partition lagging alone = a stuck event or a stuck member.")
    b.panel("Members per group", [('kafka_consumergroup_members{consumergroup=~"$group"}', "{{consumergroup}}")],
            description="Processes in each group; more members than partitions leaves some idle.")
    b.panel("Events written per second by topic", [(
        f'sum by (topic) (rate(kafka_topic_partition_current_offset{{topic=~"botilbud\\\\..*"}}[{RATE}]))',
        "{{topic}}")], unit="ops")
    b.panel("Event age when handled (per service)", [(
        "max by (service, topic) (botilbud_consumer_lag_seconds)", "{{service}} {{topic}}")], unit="s")
    b.panel("Brokers", [("kafka_brokers", "brokers"), ('up{job="kafka-exporter"}', "exporter up")],
            kind="stat", width=24, height=4)
    return b


def domain_board() -> Board:
    b = Board("botilbud-domain", "Botilbud – places and households",
              "What is true now per municipality, from stats' projections (refreshed every few seconds).",
              ["botilbud", "domain"])
    b.variable("municipality", "Municipality", "botilbud_stats_places", "municipality")
    m = 'municipality=~"$municipality"'
    b.row("Places")
    b.panel("Occupancy", [(f"max by (municipality) (botilbud_stats_occupancy_ratio{{{m}}})", "{{municipality}}")],
            kind="bargauge", unit="percentunit", thresholds=[(0.85, "yellow"), (1, "red")],
            description="Occupied places / places in units with known capacity.")
    b.panel("Free places", [(
        f"max by (municipality) (botilbud_stats_places{{{m}}}) "
        f"- max by (municipality) (botilbud_stats_places_occupied{{{m}}})", "{{municipality}}")],
        kind="bargauge", thresholds=[], description="Zero fires BotilbudCapacityExhausted.")
    b.panel("Places and occupied places", [
        (f"sum(max by (municipality) (botilbud_stats_places{{{m}}}))", "places"),
        (f"sum(max by (municipality) (botilbud_stats_places_occupied{{{m}}}))", "occupied")], width=24)
    b.row("Households")
    b.panel("Households in temporary accommodation now", [(
        f"sum by (municipality, accommodation) (max by (municipality, accommodation) "
        f"(botilbud_stats_households_now{{{m}}}))", "{{municipality}} {{accommodation}}")], width=24,
        description="Open stays: households in temporary accommodation or a night shelter now.")
    b.panel("Households past three months now", [(
        f"sum by (municipality, group) (max by (municipality, group) "
        f"(botilbud_stats_households_over_three_months{{{m}}}))", "{{municipality}} {{group}}")],
        description="Open stays over BOTILBUD_KOSTRA_OVER_DAYS nights; family or young fires "
                    "BotilbudFamilyPastThreeMonths.")
    b.panel("Inspections overdue", [(
        f"max by (municipality) (botilbud_placement_inspections_overdue{{{m}}})", "{{municipality}}")],
        kind="bargauge", thresholds=[(1, "red")],
        description="Providers without agreement where someone lives, inspection overdue, missing or failed.")
    b.row("KOSTRA this year and invoices")
    b.panel("KOSTRA counters this year", [(
        f"max by (municipality, counter) (botilbud_stats_kostra_households{{{m}}})",
        "{{municipality}} {{counter}}")], kind="bargauge",
        description="BRIEF §5's counters so far this year (refreshed every 30 s); the report with its settings is "
                    "on the stats pages.")
    b.panel("Invoices by status", [("max by (status) (botilbud_billing_invoices)", "{{status}}")],
            kind="bargauge", description="Supplier invoices waiting for finance, approved and disputed.")
    return b


def boards() -> dict[str, dict]:
    all_boards = [service_board(s) for s in ("intake", "placement", "billing", "stats")]
    all_boards += [kafka_board(), domain_board()]
    return {f"{b.uid}.json": b.json() for b in all_boards}


def render(board: dict) -> str:
    return json.dumps(board, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    built = boards()
    if "--check" in argv:
        stale = [name for name, board in built.items()
                 if not (OUT / name).exists() or (OUT / name).read_text(encoding="utf-8") != render(board)]
        extra = sorted(p.name for p in OUT.glob("*.json") if p.name not in built)
        if stale or extra:
            print(f"Dashboards out of date: {stale + extra}; run python deploy/grafana/build_dashboards.py",
                  file=sys.stderr)
            return 1
        return 0
    OUT.mkdir(exist_ok=True)
    for name, board in built.items():
        (OUT / name).write_text(render(board), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
