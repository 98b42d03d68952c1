"""Dashboards and alert rules refer only to metrics the services really export: every metric name in their
PromQL is compared with the /metrics output of a running stack after a household went through it. Names
from the Kafka exporter and Prometheus itself are allowed by an explicit list; names the alert rules need but
no service exports yet are listed too, and the test fails once a service exports one (then drop it here)."""

import json
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from kit import clock
from tests.conftest import eventually, granted_decision, login

ROOT = Path(__file__).resolve().parents[2]
DASHBOARDS = ROOT / "deploy" / "grafana" / "dashboards"
RULES = ROOT / "deploy" / "prometheus" / "rules"

# Exported by the Kafka exporter (danielqsj/kafka-exporter) and by Prometheus for every target.
EXTERNAL = {"up", "kafka_brokers", "kafka_consumergroup_lag", "kafka_consumergroup_members",
            "kafka_topic_partition_current_offset"}

KEYWORDS = {"and", "or", "unless", "offset", "bool", "by", "without", "on", "ignoring", "group_left",
            "group_right", "inf", "nan"}


def metric_names(expr: str) -> set[str]:
    """Metric names in a PromQL expression (Grafana's variables removed): identifiers that are not
    functions, keywords, label names or label values."""
    s = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    s = re.sub(r"\$\{?\w+\}?", "", s)
    s = re.sub(r"\{[^}]*\}", "", s)
    s = re.sub(r"\[[^\]]*\]", "", s)
    s = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", s)
    s = re.sub(r"\b\d+(?:\.\d+)?[smhdwy]?\b", "", s)
    return {n for n in re.findall(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()", s) if n not in KEYWORDS}


def test_metric_names_are_found_in_promql():
    assert metric_names('histogram_quantile(0.95, sum by (le, route) (rate(botilbud_http_request_seconds_bucket'
                        '{service="stats",status=~"5.."}[$__rate_interval])))') == {
        "botilbud_http_request_seconds_bucket"}
    assert metric_names("max by (municipality) (a_b) >= max by (municipality) (c offset 5m) and d > 0") == {
        "a_b", "c", "d"}
    assert metric_names('absent(up{job="intake"}) or sum(x) / ignoring(le) y') == {"up", "x", "y"}


def dashboards() -> dict[str, dict]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted(DASHBOARDS.glob("*.json"))}


def dashboard_queries() -> dict[str, set[str]]:
    """Metric names per dashboard: panel queries and variable queries."""
    used = {}
    for name, board in dashboards().items():
        names = set()
        for panel in board["panels"]:
            for target in panel.get("targets", []):
                names |= metric_names(target["expr"])
        for variable in board["templating"]["list"]:
            names |= set(re.findall(r"label_values\((\w+)", variable["definition"]))
        used[name] = names
    return used


def rule_queries() -> dict[str, set[str]]:
    used = {}
    for path in sorted(RULES.glob("*.yml")):
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                used[rule.get("alert") or rule["record"]] = metric_names(rule["expr"])
    return used


def test_dashboards_are_valid_grafana_json_and_up_to_date():
    result = subprocess.run([sys.executable, str(ROOT / "deploy/grafana/build_dashboards.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    boards = dashboards()
    assert len({b["uid"] for b in boards.values()}) == len(boards)
    for name, board in boards.items():
        assert board["title"] and board["panels"], name
        ids = [p["id"] for p in board["panels"]]
        assert len(ids) == len(set(ids)), name
        for panel in board["panels"]:
            for target in panel.get("targets", []):
                assert target["datasource"] == {"type": "prometheus", "uid": "prometheus"}
                assert target["expr"].count("(") == target["expr"].count(")"), (name, target["expr"])
    for service in ("intake", "placement", "billing", "stats"):
        exprs = " ".join(t["expr"] for p in boards[f"botilbud-{service}.json"]["panels"] for t in p.get("targets", []))
        for metric in ("botilbud_http_requests_total", "botilbud_http_request_seconds_bucket",
                       "botilbud_outbox_backlog", "botilbud_outbox_published_total"):
            assert metric in exprs, (service, metric)
        consumed = ("botilbud_events_handled_total", "botilbud_event_handling_seconds_bucket",
                    "botilbud_dead_letters_total")
        for metric in consumed:  # intake consumes nothing, so it has no event handling nor dead letters
            assert (metric in exprs) == (service != "intake"), (service, metric)
    assert {"kafka_consumergroup_lag"} <= dashboard_queries()["botilbud-kafka.json"]
    assert {"botilbud_stats_occupancy_ratio", "botilbud_stats_places", "botilbud_stats_places_occupied",
            "botilbud_stats_households_now"} <= dashboard_queries()["botilbud-domain.json"]


def exported(metrics_text: str) -> set[str]:
    names = set()
    for family in text_string_to_metric_families(metrics_text):
        names.add(family.name)
        names |= {sample.name for sample in family.samples}
        if family.type == "counter":
            names.add(f"{family.name}_total")
        if family.type == "histogram":
            names |= {f"{family.name}_{suffix}" for suffix in ("bucket", "sum", "count")}
    return names


async def drive_a_household_through(client: httpx.AsyncClient) -> None:
    """The walking skeleton's path, so every service has HTTP and event metrics with their labels."""
    today = clock.today()
    worker = await login(client, "veileder-grunerlokka")
    refused = await client.post("/intake/api/applications", headers=worker, json={"office_id": "nav-grunerlokka"})
    assert refused.status_code == 422
    _, decision_id = await granted_decision(client, period_from=today, period_to=today + timedelta(days=30),
                                            children=(date(today.year - 6, 5, 1),))
    unit = (await client.get(f"/placement/api/decisions/{decision_id}/matches", headers=worker)).json()["fits"][0]
    placed = await client.post("/placement/api/stays", headers=worker, json={
        "decision_id": decision_id, "unit_id": unit["unit_id"], "check_in": str(today)})
    assert placed.status_code == 201, placed.text

    async def requisition_issued():
        r = await client.get("/billing/api/requisitions", headers=worker, params={"page_size": 200})
        return [q for q in r.json()["items"] if q["stay_id"] == placed.json()["stay_id"]]
    await eventually(requisition_issued)
    leader = await login(client, "leder-grunerlokka")
    assert (await client.get(f"/stats/api/kostra?year={today.year}&municipality=0301", headers=leader)).is_success

    async def gauges_refreshed():
        text = (await client.get("/metrics")).text
        return 'botilbud_stats_households_now{accommodation="temporary",municipality="0301"}' in text
    await eventually(gauges_refreshed, within=30)


@pytest.mark.integration
async def test_dashboards_and_rules_use_only_exported_metrics(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        await drive_a_household_through(client)
        text = (await client.get("/metrics")).text
    names = exported(text)
    assert {"botilbud_http_requests_total", "botilbud_event_handling_seconds_bucket",
            "botilbud_dead_letters_total", "botilbud_stats_places"} <= names  # the parsing works

    for board, used in dashboard_queries().items():
        unknown = used - names - EXTERNAL
        assert not unknown, f"{board} uses metrics no service exports: {sorted(unknown)}"
    for alert, used in rule_queries().items():
        unknown = used - names - EXTERNAL
        assert not unknown, f"{alert} uses metrics no service exports: {sorted(unknown)}"
