"""Events from intake: application received (applied) and decision made.

They carry the pseudonymous household id and only the facts other services need (birth dates for age and
children, municipality, district, office, needs): never a national identity number or a name."""

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import IntegrationEvent
from contracts.topics import Topic

MunicipalityNumber = Annotated[
    str, Field(pattern=r"^\d{4}$", description="Kommunenummer, 4 digits (0301 Oslo).", examples=["0301"])
]


class PlacementNeeds(BaseModel):
    """What placement must respect when it looks for a place (BRIEF §4)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    substance_use: bool = Field(False, description="Active substance use (rus).")
    low_boevne: bool = Field(False, description="Low ability to live on one's own (lav boevne).")
    mental_health: bool = Field(False, description="Mental health needs.")
    violence_risk: bool = Field(False, description="Risk of violence.")
    needs_kitchen: bool = Field(False, description="Needs a kitchen in the unit.")
    reduced_mobility: bool = Field(False, description="Needs step-free access.")
    sex: Literal["female", "male", "non_binary"] | None = Field(
        None, description="Applicant's sex, for providers limited by sex."
    )
    couple: bool = Field(False, description="Applicant lives with a partner.")
    wants_substance_free: bool = Field(False, description="Wants a substance-free environment.")


class HouseholdFacts(BaseModel):
    """The non-identifying facts about a household that statistics and matching need."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    applicant_birth_date: date = Field(description="Applicant's birth date (for age bands).",
                                       examples=["1990-04-02"])
    children_birth_dates: list[date] = Field(
        default_factory=list, description="Birth dates of children living with the household.",
        examples=[["2016-05-01"]],
    )
    adults: int = Field(1, ge=1, description="Adults in the household, applicant included.")
    needs: PlacementNeeds = Field(default_factory=PlacementNeeds)


class ApplicationReceived(IntegrationEvent):
    """A household applied for temporary accommodation (søknad om midlertidig botilbud)."""

    event_type = "botilbud.intake.application-received.v1"
    topic = Topic.HOUSEHOLD
    key_field = "household_id"

    application_id: UUID = Field(description="The application.")
    household_id: UUID = Field(description="Pseudonymous household id; the Kafka key.")
    office_id: str = Field(description="Nav office id.", examples=["nav-grunerlokka"])
    municipality: MunicipalityNumber
    district: str | None = Field(None, description="Oslo district (bydel), else null.",
                                 examples=["Grünerløkka"])
    received_at: datetime = Field(description="When the application was received.")
    channel: Literal["in_person", "phone", "provider", "digital", "import"] = Field(
        description="How it came in."
    )
    urgent: bool = Field(description="Needs a place tonight.")
    household: HouseholdFacts


class DecisionMade(IntegrationEvent):
    """An individual decision (enkeltvedtak) under § 27 took effect: granted with a period, or refused."""

    event_type = "botilbud.intake.decision-made.v1"
    topic = Topic.HOUSEHOLD
    key_field = "household_id"

    decision_id: UUID
    application_id: UUID
    household_id: UUID = Field(description="Pseudonymous household id; the Kafka key.")
    office_id: str = Field(examples=["nav-grunerlokka"])
    municipality: MunicipalityNumber
    district: str | None = None
    outcome: Literal["granted", "refused"]
    period_from: date | None = Field(None, description="First night granted (granted only).")
    period_to: date | None = Field(None, description="Last night granted, included (granted only).")
    decided_at: datetime
    extends_decision_id: UUID | None = Field(None, description="The decision this one extends.")
    conditions: list[str] = Field(default_factory=list, examples=[["boligskole"]])
    household: HouseholdFacts
