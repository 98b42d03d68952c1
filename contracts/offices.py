"""Events from intake's office registry: a Nav office registered, changed or closed.

Keyed by office id on their own topic, so one office's events stay in order. Each carries the office's full
state, so a consumer's projection is an upsert of the newest. No personal data: an office's address, phone
and e-mail are its functional ones (printed on requisitions and letters), not a person's."""

from typing import Annotated

from pydantic import Field

from contracts.base import IntegrationEvent
from contracts.intake import MunicipalityNumber
from contracts.topics import Topic

OfficeId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
                                description="Stable id made from the name when registered (`nav-sagene`).",
                                examples=["nav-sagene"])]


class OfficeRegistered(IntegrationEvent):
    """A Nav office was registered: from now on it can take applications."""

    event_type = "botilbud.intake.office-registered.v1"
    topic = Topic.OFFICE
    key_field = "office_id"

    office_id: OfficeId
    name: str = Field(min_length=1, max_length=100, examples=["Nav Sagene"])
    municipality: MunicipalityNumber
    district: str | None = Field(None, max_length=100, description="Oslo district (bydel) by name, else null.",
                                 examples=["Sagene"])
    second_approval: bool = Field(False, description="Every decision waits for a leader's second approval.")
    address: str | None = Field(None, max_length=200, description="The office's postal address.")
    phone: str | None = Field(None, max_length=20, description="The office's phone number (8 digits).",
                              examples=["55553333"])
    email: str | None = Field(None, max_length=254, description="The office's functional mailbox for providers.")
    closed: bool = Field(False, description="Closed: takes no new applications; its history stays.")


class OfficeChanged(OfficeRegistered):
    """An office's details changed; the body is its full new state."""

    event_type = "botilbud.intake.office-changed.v1"


class OfficeClosed(OfficeRegistered):
    """An office was closed (takes no new applications; its cases and history stay); its full state, closed."""

    event_type = "botilbud.intake.office-closed.v1"
