"""The system's settings: the runtime kit's, plus what names the four services (their databases). The
README's settings table is made from these models."""

from pydantic import BaseModel, Field

from kit.settings import KostraSettings, OidcSettings
from kit.settings import Settings as RuntimeSettings
from services.billing.config import BillingSettings

SERVICES: tuple[str, ...] = ("intake", "placement", "billing", "stats")


class Settings(RuntimeSettings):
    intake_database_url: str | None = Field(
        None, description="Database URL of the intake service (overrides the above).")
    placement_database_url: str | None = Field(
        None, description="Database URL of the placement service (overrides the above).")
    billing_database_url: str | None = Field(
        None, description="Database URL of the billing service (overrides the above).")
    stats_database_url: str | None = Field(
        None, description="Database URL of the stats service (overrides the above).")
    intake_url: str | None = Field(
        None, description="Base URL of intake's HTTP app (e.g. `http://intake:8080/intake`), where placement's "
        "and billing's pages ask who a household is. Empty = this process's own address, when intake runs in it.")
    placement_url: str | None = Field(
        None, description="Base URL of placement's HTTP app (e.g. `http://placement:8080/placement`), where intake's "
        "case page asks for a household's stays and the leader's queue for placement's part. Empty = this "
        "process's own address, when placement runs in it.")
    billing_url: str | None = Field(
        None, description="Base URL of billing's HTTP app (e.g. `http://billing:8080/billing`), where intake's case "
        "page asks for a household's requisitions and invoice lines. Empty = this process's own address, when "
        "billing runs in it.")


def settings_table() -> str:
    """The README's settings table, made from the models so it cannot drift (a test compares them)."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for model, prefix in ((Settings, "BOTILBUD_"), (KostraSettings, "BOTILBUD_KOSTRA_"),
                          (OidcSettings, "BOTILBUD_OIDC_"), (BillingSettings, "BOTILBUD_BILLING_")):
        for name, field in model.model_fields.items():
            if name in ("kostra", "oidc"):
                continue
            default = field.default if field.default_factory is None else field.default_factory()
            default = "(generated)" if isinstance(default, BaseModel) else "" if default == {} else default
            shown = "(none)" if default is None else "(empty)" if default == "" else f"`{default}`"
            rows.append(f"| `{prefix}{name.upper()}` | {shown} | {field.description} |")
    return "\n".join(rows)
