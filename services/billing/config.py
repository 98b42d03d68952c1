"""Billing's own settings (prefix BOTILBUD_BILLING_)."""

from decimal import Decimal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class BillingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BOTILBUD_BILLING_", env_file=".env", extra="ignore")

    price_tolerance_nok: Decimal = Field(
        Decimal(0), ge=0, description="NOK per night an invoice's price may exceed the agreement's without a "
        "finding; none unless finance sets one.")
