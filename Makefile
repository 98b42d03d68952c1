# The two set-up commands are `make run` and `make test`; everything else is for CI and developers.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test test-kafka lint contracts bench deploy-check clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

## Start the whole system on this machine (embedded PostgreSQL and Kafka-compatible broker).
run: $(STAMP)
	$(BIN)/botilbud run

## The whole test suite against the embedded broker and database.
test: $(STAMP)
	$(BIN)/python -m pytest

## Integration and end-to-end tests again, against Apache Kafka 4.x itself on the JVM.
test-kafka: $(STAMP)
	@set -e; dir=$$(mktemp -d); \
	port=$$($(BIN)/python -c 'from botilbud.embedded import free_port_pair; print(free_port_pair())'); \
	trap 'bash deploy/apache-kafka/kafka.sh stop $$dir >/dev/null 2>&1; rm -rf $$dir' EXIT; \
	bootstrap=$$(bash deploy/apache-kafka/kafka.sh start $$port $$dir | tail -n 1); \
	echo "Apache Kafka at $$bootstrap"; \
	BOTILBUD_TEST_KAFKA_BOOTSTRAP=$$bootstrap $(BIN)/python -m pytest -m "(integration or e2e) and not embedded_stack"

## Lint, import boundaries, and the generated contract files.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/botilbud contracts check

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
