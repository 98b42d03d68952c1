"""Kafka topic names. One topic per aggregate stream; an event's key is its aggregate id, so one
household's (or office's, requisition's, provider's, invoice's) events stay in order on one partition."""

from enum import StrEnum


class Topic(StrEnum):
    HOUSEHOLD = "botilbud.intake.household.v1"
    OFFICE = "botilbud.intake.office.v1"
    STAY = "botilbud.placement.stay.v1"
    PROVIDER = "botilbud.placement.provider.v1"
    REQUISITION = "botilbud.billing.requisition.v1"
    INVOICE = "botilbud.billing.invoice.v1"


ALL_TOPICS: tuple[Topic, ...] = tuple(Topic)


def dead_letter_topic(service: str) -> str:
    """Each consuming service has its own dead-letter topic: the failure belongs to that consumer."""
    return f"botilbud.{service}.deadletter.v1"
