# The two set-up commands are `make run` and `make test`; everything else is for CI and developers.
# A fresh machine needs nothing but Python 3.11+ and make: the first of them makes .venv and installs the locked
# dependencies (requirements/development.txt, with hashes) with pip alone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
LOCK   := requirements/development.txt
PIP    := $(BIN)/python -m pip --disable-pip-version-check
# `make run`'s console: readable lines, only what needs attention (JSON at INFO stays the default elsewhere).
LOG_LEVEL ?= WARNING
# `make test TESTS="tests/unit tests/intake/test_pages_browser.py"` runs only those.
TESTS ?=

.PHONY: run test test-unit test-kafka browser idp lint contracts lock bench deploy-check clean

$(STAMP): $(LOCK) pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing the locked dependencies into $(VENV) (the first time takes a minute or two) …"
	@$(PIP) install --quiet --require-hashes -r $(LOCK)
	@$(PIP) install -qq --no-deps --editable .
	@touch $(STAMP)

## Start the whole system on this machine (embedded PostgreSQL and Kafka-compatible broker).
run: $(STAMP)
	@BOTILBUD_LOG_JSON=false BOTILBUD_LOG_LEVEL=$(LOG_LEVEL) $(BIN)/botilbud run

## The whole test suite against the embedded broker and database; first the browser its browser tests drive.
## Each run keeps its temporary files (the test databases among them) under a root of its own: pytest prunes
## older runs' folders under a shared root, which pulled the data directory from under a run still going.
test: $(STAMP) browser
	set -e; tmp=$$(mktemp -d /tmp/botilbud-tests.XXXXXX); trap 'rm -rf $$tmp' EXIT; \
	PYTEST_DEBUG_TEMPROOT=$$tmp $(BIN)/python -m pytest --durations=30 $(TESTS)

## The fast tests alone: no PostgreSQL, no broker.
test-unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit -q

## A Chromium for the browser tests: one already here, else Playwright's own download, else Debian's package
## (apt-get, as root), else a message that says what to install (the browser tests then fail with it).
browser: $(STAMP)
	@$(BIN)/python -m tests.browser || true

## Integration and end-to-end tests again, against Apache Kafka 4.x itself on the JVM.
test-kafka: $(STAMP) browser
	@set -e; dir=$$(mktemp -d); \
	port=$$($(BIN)/python -c 'from botilbud.embedded import free_port_pair; print(free_port_pair())'); \
	trap 'bash deploy/apache-kafka/kafka.sh stop $$dir >/dev/null 2>&1; rm -rf $$dir' EXIT; \
	bootstrap=$$(bash deploy/apache-kafka/kafka.sh start $$port $$dir | tail -n 1); \
	echo "Apache Kafka at $$bootstrap"; \
	BOTILBUD_TEST_KAFKA_BOOTSTRAP=$$bootstrap PYTEST_DEBUG_TEMPROOT=$$dir $(BIN)/python -m pytest --durations=30 -m "(integration or e2e) and not embedded_stack and not http_only"

## Keycloak with the demo realm (deploy/keycloak/realm.json) on http://127.0.0.1:8081, to try the login with an
## identity provider: `make run` in another terminal with the settings the README shows (Ctrl-C stops it).
## The test suite starts its own (tests/oidc/keycloak.py).
idp:
	@dir=.botilbud/keycloak; trap 'bash deploy/keycloak/keycloak.sh stop $$dir' EXIT INT TERM; \
	bash deploy/keycloak/keycloak.sh start 8081 $$dir http://127.0.0.1:8080 && \
	echo "Keycloak: issuer http://127.0.0.1:8081/realms/botilbud (Ctrl-C stops it)" && tail -f /dev/null

## Lint, import boundaries, and the generated contract files.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/botilbud contracts check

## Update the lock files from pyproject.toml (newest versions that fit; hashes for every file):
## requirements/production.txt is what the image installs, requirements/development.txt adds the embedded
## broker and database and the development tools, at the same versions.
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes --upgrade --quiet \
	  -o requirements/production.txt
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes --upgrade --quiet \
	  --extra embedded --extra dev -c requirements/production.txt -o requirements/development.txt

## The deployment without a Docker engine: Compose v2 validates docker-compose.yml, promtool checks the
## Prometheus config and tests the alert rules, the dashboards are up to date (Debian: apt-get install prometheus).
## The tests that compare dashboards with a running stack's /metrics, and the scaling test, run in `make test`.
deploy-check: $(STAMP)
	@command -v promtool >/dev/null || { echo "deploy-check needs promtool: apt-get install prometheus" >&2; exit 1; }
	promtool check config deploy/prometheus/prometheus.yml
	promtool check rules deploy/prometheus/rules/*.yml
	promtool test rules deploy/prometheus/tests/*.yml
	$(BIN)/python deploy/grafana/build_dashboards.py --check
	$(BIN)/python -m pytest tests/deploy -q -p no:logging -m "not integration"

contracts: $(STAMP)
	$(BIN)/botilbud contracts generate

bench: $(STAMP)
	$(BIN)/python -m bench.freshness

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
