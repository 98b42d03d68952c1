"""The runtime's settings, from the environment (prefix BOTILBUD_) or a `.env` file. They name no service: the
system's composition (`botilbud.settings`) adds the per-service ones. The README's settings table lists them."""

from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class KostraSettings(BaseSettings):
    """This project's reading of SSB's wording (BRIEF §5). Printed beside every report."""

    model_config = SettingsConfigDict(env_prefix="BOTILBUD_KOSTRA_", extra="ignore")

    over_days: int = Field(90, description="More than this many nights in the year = 'over 3 months'.")
    short_days: int = Field(14, description="At most this many nights = '14 days or less'.")
    young_min_age: int = Field(18, description="Youngest age counted as a young applicant.")
    young_max_age: int = Field(24, description="Oldest age counted as a young applicant.")
    child_max_age: int = Field(17, description="Oldest age counted as a child.")


class OidcSettings(BaseSettings):
    """Login with the municipality's identity provider (OpenID Connect; docs/operations.md, "Identity
    provider"). Off while BOTILBUD_OIDC_ISSUER is empty: then the users file's passwords log in (the demo)."""

    model_config = SettingsConfigDict(env_prefix="BOTILBUD_OIDC_", env_file=".env", extra="ignore")

    issuer: str | None = Field(
        None, description="The identity provider's issuer URL (discovery at /.well-known/openid-configuration). "
        "Set: people log in there, the password form and password tokens are off.")
    metadata_url: str | None = Field(
        None, description="Where the services read the discovery document, if not at the issuer's address "
        "(a provider reached by another name inside the network).")
    client_id: str = Field("botilbud-web", description="Client id of the web pages (authorization code + PKCE).")
    client_secret: SecretStr | None = Field(None, description="Client secret of the web pages' client.")
    scopes: str = Field("openid profile email", description="Scopes the web login asks for.")
    site_url: str | None = Field(
        None, description="The address people open (https://botilbud.kommune.no): the redirect URI registered "
        "at the provider is this + /auth/callback, the post-logout one this + /login. Empty: the request's.")
    audience: str = Field(
        "botilbud", description="The `aud` the provider's access tokens for Botilbud's APIs carry.")
    cli_client_id: str = Field(
        "botilbud-cli", description="Public client of the `botilbud` command (device authorization grant).")
    role_claim: str = Field("groups", description="Claim that holds the role (a string or a list, e.g. groups).")
    roles: dict[str, str] = Field(
        default_factory=dict, description="JSON object from claim values (group names, Entra's group ids) to "
        "roles: case_worker, office_leader, finance, operations, admin, municipality_staff. Empty: the values "
        "are role names.")
    office_claim: str = Field("nav_office", description="Claim that holds the Nav office of an office's staff.")
    offices: dict[str, str] = Field(
        default_factory=dict, description="JSON object from office claim values to office ids "
        "(`nav-grunerlokka`). Empty: the values are office ids.")
    municipality_claim: str = Field(
        "municipality", description="Claim that holds the municipality number of the municipality's staff.")
    username_claim: str = Field("preferred_username", description="Claim shown and logged as the username.")
    name_claim: str = Field("name", description="Claim with the person's name.")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BOTILBUD_", env_file=".env", extra="ignore")

    home: Path = Field(Path(".botilbud"), description="Folder of the embedded stack's data and run file.")
    kafka_bootstrap: str | None = Field(
        None, description="Kafka bootstrap servers; empty = the embedded broker (`botilbud run`).")
    kafka_idempotent_producer: bool = Field(
        False, description="Producer idempotence: on for Apache Kafka, off for the embedded Tansu broker.")
    kafka_fetch_max_wait_ms: int = Field(
        50, description="Longest a consumer's fetch waits for data. Tansu answers a waiting fetch only when this "
        "runs out, so it bounds event latency there; Apache Kafka answers as soon as data arrives.")
    kafka_session_timeout_ms: int = Field(
        10_000, description="A consumer group member's session timeout (aiokafka's default). Tansu holds every "
        "group join for half of it, so the test suite sets it lower on the embedded broker.")
    kafka_heartbeat_interval_ms: int = Field(
        3_000, description="How often a consumer tells the group it is alive; well under the session timeout.")
    topic_namespace: str = Field("", description="Prefix for every topic and consumer group (test isolation).")
    database_url: str | None = Field(
        None, description="PostgreSQL server URL; each service uses its own database `botilbud_<service>` "
        "on it unless BOTILBUD_<SERVICE>_DATABASE_URL is set.")
    http_host: str = Field("127.0.0.1", description="Address the HTTP server binds to.")
    http_port: int = Field(8080, description="HTTP port; 0 picks a free one.")
    ops_port: int | None = Field(
        None, description="Operations port (on BOTILBUD_HTTP_HOST) serving /metrics and /readyz with its reasons; "
        "then the HTTP port has no /metrics and its /readyz names failing checks only. Empty = all on the HTTP "
        "port (the embedded stack); 0 picks a free one.")
    forwarded_allow_ips: str = Field(
        "127.0.0.1", description="Comma-separated addresses or networks of the front door, whose X-Forwarded-For "
        "and X-Forwarded-Proto are believed (client address, https: Secure cookies and HSTS).")
    secret_key: SecretStr | None = Field(
        None, description="Signs session cookies and API tokens; shared by all services. Required outside the "
        "embedded stack, which makes one under BOTILBUD_HOME.")
    encryption_keys: SecretStr | None = Field(
        None, description="Comma-separated Fernet keys for personal data at rest, newest first (rotation). "
        "Required by intake outside the embedded stack.")
    identity_hash_key: SecretStr | None = Field(
        None, description="Key of the keyed hash (HMAC) that finds a household by identity number. Required by "
        "intake outside the embedded stack.")
    users_file: Path | None = Field(
        None, description="JSON file of users (argon2 hashes, role, office) for the password login. Required "
        "outside the embedded stack unless BOTILBUD_OIDC_ISSUER is set; the embedded stack writes its demo users "
        "under BOTILBUD_HOME.")
    token_ttl_seconds: int = Field(
        8 * 3600, description="Longest life of a login session or API token (an identity provider's ID token "
        "may end a session sooner).")
    consumer_retries: int = Field(3, description="Attempts per event before it goes to the dead-letter topic.")
    consumer_retry_backoff_seconds: float = Field(0.2, description="First retry delay; doubles each try.")
    consumer_batch_max_records: int = Field(
        1000, ge=1, le=10_000, description="Most events a consumer handles in one transaction (1: one at a time).")
    outbox_poll_seconds: float = Field(1.0, description="Relay poll interval when no NOTIFY wakes it.")
    outbox_batch_size: int = Field(2000, description="Outbox rows published per relay round.")
    # Durability and retention (kit/outbox.py, kit/retention.py; docs/reliability.md).
    outbox_republish_on_start: bool = Field(
        False, description="Publish every outbox row again at start-up, in order, before new ones: for a broker "
        "that may have lost events. `botilbud run`'s embedded broker keeps topics in memory, so there it is always "
        "on; for Apache Kafka use `botilbud outbox republish` after a loss instead.")
    outbox_retention_days: int = Field(
        0, ge=0, description="Delete published outbox rows older than this many days (0: keep them). Only where "
        "the topics keep the history (Kafka with retention.ms=-1); never on the embedded stack, whose outbox is "
        "the log.")
    inbox_retention_days: int = Field(
        0, ge=0, description="Delete inbox claims older than this many days (0: keep them). Must be longer than "
        "the outbox retention and than any redelivery from the topics (docs/operations.md).")
    retention_interval_seconds: float = Field(3600.0, gt=0, description="Time between rounds of the retention job.")
    retention_batch_size: int = Field(
        1000, ge=1, le=100_000, description="Rows the retention job deletes per statement.")
    log_level: str = Field("INFO", description="DEBUG, INFO, WARNING or ERROR.")
    log_json: bool = Field(True, description="JSON logs (false: readable console lines).")
    demo_data: bool = Field(
        False, description="Load the demo data once into empty databases. The embedded stack turns it on "
        "unless set.")
    allow_synthetic_ids: bool = Field(
        False, description="Accept synthetic test identity numbers (Skatteetaten's test set). The embedded stack "
        "turns it on unless set.")
    kostra: KostraSettings = Field(default_factory=KostraSettings)
    oidc: OidcSettings = Field(default_factory=OidcSettings)

    @model_validator(mode="after")
    def _inbox_outlives_outbox(self):
        # A claim pruned while its event can still be republished from an outbox would let it apply twice.
        if self.inbox_retention_days and not 0 < self.outbox_retention_days < self.inbox_retention_days:
            raise ValueError("BOTILBUD_INBOX_RETENTION_DAYS needs BOTILBUD_OUTBOX_RETENTION_DAYS set and shorter: "
                             "an inbox claim must outlive every republish of its event")
        return self

    def service_database_url(self, service: str) -> str:
        # The composition of a system may declare a URL per service (`BOTILBUD_<SERVICE>_DATABASE_URL`).
        explicit = getattr(self, f"{service}_database_url", None)
        if explicit:
            return explicit
        if not self.database_url:
            raise RuntimeError(
                f"No database for {service}: set BOTILBUD_DATABASE_URL or BOTILBUD_{service.upper()}_DATABASE_URL"
                " (or use `botilbud run`, which starts an embedded PostgreSQL).")
        return f"{self.database_url.rstrip('/')}/botilbud_{service}"

    def service_url(self, service: str) -> str | None:
        """The base URL of a service's HTTP app (`BOTILBUD_<SERVICE>_URL`, declared by the system's composition),
        None when not set: then a runtime that runs the service itself uses its own address."""
        return getattr(self, f"{service}_url", None) or None

    def topic(self, name: str) -> str:
        return f"{self.topic_namespace}{name}"

    def group_id(self, service: str) -> str:
        return f"{self.topic_namespace}botilbud-{service}"

