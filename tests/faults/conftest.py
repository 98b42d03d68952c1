"""The fault suite's lane rule: a test marked `kafka_restart` restarts the broker, which only Apache Kafka
survives with its data (the embedded Tansu keeps topics in memory). It is selected in the Apache Kafka lane
(`make test-kafka`, where BOTILBUD_TEST_KAFKA_BOOTSTRAP is set) and deselected — not skipped — elsewhere."""

import os


def pytest_configure(config):
    config.addinivalue_line("markers", "kafka_restart: restarts Apache Kafka (the Apache Kafka lane only)")


def pytest_collection_modifyitems(config, items):
    if os.environ.get("BOTILBUD_TEST_KAFKA_BOOTSTRAP"):
        return
    deselected = [i for i in items if i.get_closest_marker("kafka_restart")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [i for i in items if not i.get_closest_marker("kafka_restart")]
