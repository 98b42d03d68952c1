import pytest

from botilbud.settings import Settings


def test_each_service_gets_its_own_database():
    s = Settings(_env_file=None, database_url="postgresql://u:p@db:5432/")
    assert s.service_database_url("intake") == "postgresql://u:p@db:5432/botilbud_intake"
    assert s.service_database_url("stats") == "postgresql://u:p@db:5432/botilbud_stats"


def test_explicit_service_database_wins():
    s = Settings(_env_file=None, database_url="postgresql://db/", billing_database_url="postgresql://other/b")
    assert s.service_database_url("billing") == "postgresql://other/b"


def test_missing_database_is_a_clear_error():
    with pytest.raises(RuntimeError, match="BOTILBUD_DATABASE_URL"):
        Settings(_env_file=None).service_database_url("intake")


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("BOTILBUD_KAFKA_BOOTSTRAP", "kafka:9092")
    monkeypatch.setenv("BOTILBUD_KOSTRA_OVER_DAYS", "91")
    s = Settings(_env_file=None)
    assert s.kafka_bootstrap == "kafka:9092"
    assert s.kostra.over_days == 91
