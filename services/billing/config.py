"""Billing's own settings (prefix BOTILBUD_BILLING_)."""

from decimal import Decimal
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class BillingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BOTILBUD_BILLING_", env_file=".env", extra="ignore")

    price_tolerance_nok: Decimal = Field(
        Decimal(0), ge=0, description="NOK per night an invoice's price may exceed the agreement's without a "
        "finding; none unless finance sets one.")
    smtp_host: str | None = Field(
        None, description="Mail server that sends requisitions to the providers' e-mail addresses; empty = none "
        "is sent (they wait, and go once it is set).")
    smtp_port: int = Field(587, ge=1, le=65535, description="The mail server's port.")
    smtp_security: Literal["starttls", "tls", "none"] = Field(
        "starttls", description="`starttls` (port 587), `tls` from the start (465), or `none` (a relay inside "
        "the municipality's network only).")
    smtp_username: str | None = Field(None, description="Login at the mail server, if it wants one.")
    smtp_password: SecretStr | None = Field(None, description="Its password.")
    mail_from: str = Field("rekvisisjon@botilbud.invalid", description="The sender (From) of the requisitions: "
                           "the municipality's functional address.")
    mail_interval_seconds: float = Field(
        5.0, gt=0, le=3600, description="How often the sender looks for requisitions to send (a failed one waits "
        "30 s, doubling up to an hour, before it is tried again).")
    invoice_recipients: dict[str, str] = Field(
        {}, description="Who the providers invoice, printed on the requisitions: JSON from an "
        "office id or a kommunenummer to the paying organisation's number (EHF address 0192:<number>), e.g. "
        '`{"0301": "958935420"}`; an office\'s own entry wins over its municipality\'s. The embedded demo fills it '
        "from demo/reference.json.")
