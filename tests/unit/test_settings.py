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


def test_the_defaults_are_production_ones():
    s = Settings(_env_file=None)
    assert s.demo_data is False and s.allow_synthetic_ids is False


def test_the_embedded_stack_turns_demo_data_and_synthetic_ids_on_unless_set(monkeypatch):
    from botilbud.stack import with_embedded_defaults

    on = with_embedded_defaults(Settings(_env_file=None))
    assert on.demo_data is True and on.allow_synthetic_ids is True
    assert on.kafka_session_timeout_ms < Settings(_env_file=None).kafka_session_timeout_ms
    monkeypatch.setenv("BOTILBUD_DEMO_DATA", "false")
    kept = with_embedded_defaults(Settings(_env_file=None, allow_synthetic_ids=False))
    assert kept.demo_data is False and kept.allow_synthetic_ids is False


def refused_start(settings: Settings, target: str) -> str:
    """`botilbud run --target …` outside the embedded stack (a broker and a database are set, nothing listens
    there): the process must refuse before it touches either."""
    import asyncio

    from botilbud.stack import serve

    with pytest.raises(SystemExit) as refused:
        asyncio.run(serve(settings, target))
    return str(refused.value)


PRODUCTION = {"kafka_bootstrap": "127.0.0.1:1", "database_url": "postgresql://u:p@127.0.0.1:1/"}


def test_outside_the_embedded_stack_missing_secrets_refuse_the_start_and_are_named(tmp_path):
    message = refused_start(Settings(_env_file=None, home=tmp_path, **PRODUCTION), "stats")
    assert "BOTILBUD_SECRET_KEY (every service)" in message
    assert "BOTILBUD_USERS_FILE (every service)" in message
    assert "ENCRYPTION" not in message  # stats keeps no personal data
    message = refused_start(Settings(_env_file=None, home=tmp_path, **PRODUCTION), "intake,billing")
    assert "BOTILBUD_ENCRYPTION_KEYS (intake)" in message and "BOTILBUD_IDENTITY_HASH_KEY (intake)" in message
    assert not list(tmp_path.iterdir())  # no key was made up and written under BOTILBUD_HOME


def test_the_example_files_placeholder_counts_as_missing(tmp_path):
    settings = Settings(_env_file=None, home=tmp_path, secret_key="change-me", encryption_keys="k",
                        identity_hash_key="", users_file=tmp_path / "users.json", **PRODUCTION)
    message = refused_start(settings, "intake")
    assert "BOTILBUD_SECRET_KEY" in message and "BOTILBUD_IDENTITY_HASH_KEY (intake)" in message
    assert "ENCRYPTION_KEYS" not in message and "USERS_FILE" not in message
