"""Events from placement: providers and units, and the stay's life cycle (placed, extended, moved out).

A move between providers is a moved-out followed by a placed. Stay events are keyed by household id so a
household's history stays in order; provider events by provider id."""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import IntegrationEvent, PricePerNight
from contracts.intake import HouseholdFacts, MunicipalityNumber
from contracts.topics import Topic

Accommodation = Literal["temporary", "night_shelter"]
AgreementKind = Literal["framework", "quality", "operating", "municipal", "none"]
MoveOutDestination = Literal[
    "municipal_rental", "private_rental", "own_home", "institution", "other_municipality", "other",
    "unknown", "moved_to_other_provider",
]


class Agreement(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: AgreementKind
    price_per_night: PricePerNight | None = Field(None, description="NOK per night under the agreement.")
    fixed_places: int = Field(0, ge=0, le=10_000, description="Places paid whether used or not.")
    valid_from: date | None = None
    valid_to: date | None = None


class ProviderRegistered(IntegrationEvent):
    """A provider (tilbyder) was registered."""

    event_type = "botilbud.placement.provider-registered.v1"
    topic = Topic.PROVIDER
    key_field = "provider_id"

    provider_id: UUID
    name: str = Field(examples=["Blå Kors bosenter"])
    orgnr: str = Field(pattern=r"^\d{9}$", description="Organisation number (mod-11 checked).")
    kind: Literal["municipal", "non_profit", "private"]
    municipality: MunicipalityNumber
    district: str | None = None
    accommodation: Accommodation
    agreement: Agreement
    email: str | None = Field(None, max_length=254, description="The provider's address for requisitions (billing "
                              "sends them there).", examples=["booking@bosenter.example"])


class ProviderChanged(ProviderRegistered):
    """A provider's details or agreement changed; the body is the provider's full new state."""

    event_type = "botilbud.placement.provider-changed.v1"


class UnitRegistered(IntegrationEvent):
    """A unit (enhet/plass/hybel) with a number of beds was registered at a provider."""

    event_type = "botilbud.placement.unit-registered.v1"
    topic = Topic.PROVIDER
    key_field = "provider_id"

    unit_id: UUID
    provider_id: UUID
    name: str
    beds: int = Field(ge=1, le=1000)
    address: str


class UnitChanged(UnitRegistered):
    """A unit changed; the body is the unit's full new state."""

    event_type = "botilbud.placement.unit-changed.v1"


class CapacityChanged(IntegrationEvent):
    """A unit's free places changed (after a placement, a move-out or a change of beds)."""

    event_type = "botilbud.placement.capacity-changed.v1"
    topic = Topic.PROVIDER
    key_field = "provider_id"

    provider_id: UUID
    unit_id: UUID
    beds: int = Field(ge=0, le=1000)
    occupied: int = Field(ge=0, le=1000, description="Beds taken: a unit takes one household, so all or none.")
    municipality: MunicipalityNumber
    changed_at: datetime
    households: int | None = Field(None, ge=0, description="Households in the unit now (0 or 1).")


class HouseholdPlaced(IntegrationEvent):
    """A household checked in to a unit (a stay began). Carries what billing needs for the requisition and
    what statistics need, so neither has to ask placement."""

    event_type = "botilbud.placement.household-placed.v1"
    topic = Topic.STAY
    key_field = "household_id"

    stay_id: UUID
    household_id: UUID
    decision_id: UUID
    office_id: str
    municipality: MunicipalityNumber
    district: str | None = None
    provider_id: UUID
    provider_name: str
    provider_orgnr: str = Field(pattern=r"^\d{9}$")
    unit_id: UUID
    accommodation: Accommodation
    agreement_kind: AgreementKind
    price_per_night: PricePerNight = Field(description="NOK per night, from the agreement.")
    check_in: date = Field(description="First night.")
    authorised_to: date = Field(description="Last night the decision covers, included.")
    household: HouseholdFacts
    justified: bool = Field(False, description="A case worker's written justification of a soft-rule override "
                            "is on record in placement (the text itself stays there: it may hold personal data).")
    justified_rules: list[str] = Field(
        default_factory=list, description="The soft rules the justification covers (rule codes such as "
        "`outside_agreement`).", examples=[["outside_agreement"]])
    justification: str | None = Field(None, deprecated=True, description="No longer sent (always null): free "
                                      "text stays in placement. Kept so that earlier events still parse.")
    imported: bool = Field(False, description="Imported history (botilbud import-stays), not live work. The "
                           "decision id is then placement's synthetic one, not intake's.")
    imported_on: date | None = Field(None, description="Imported history: the day of the import.")
    imported_check_out: date | None = Field(
        None, description="Imported history: the known check-out (a HouseholdMovedOut follows); null = open. "
        "Billing issues no requisition for an imported stay that ended before the day of import.")
    placed_by: str | None = Field(None, max_length=100, description="Username of the case worker who placed the "
                                  "household (the requisition's contact person); null for imported history.",
                                  examples=["veileder-grunerlokka"])
    placed_by_name: str | None = Field(None, max_length=200, description="That case worker's name as the login "
                                       "gives it (staff, not the household).", examples=["Veileder, Nav Grünerløkka"])
    conditions: list[str] = Field(default_factory=list, max_length=10, description="The decision's conditions "
                                  "(codes), printed on the requisition.", examples=[["boligskole"]])


class StayExtended(IntegrationEvent):
    """A stay was extended to follow a new decision period (forlengelse)."""

    event_type = "botilbud.placement.stay-extended.v1"
    topic = Topic.STAY
    key_field = "household_id"

    stay_id: UUID
    household_id: UUID
    decision_id: UUID
    authorised_to: date = Field(description="New last night covered, included.")
    extended_at: datetime
    conditions: list[str] | None = Field(None, max_length=10, description="The new decision's conditions (codes); "
                                         "null from producers before this field.", examples=[["boligskole"]])


class HouseholdMovedOut(IntegrationEvent):
    """A household checked out (utflytting). Nights from check_out on are not payable."""

    event_type = "botilbud.placement.household-moved-out.v1"
    topic = Topic.STAY
    key_field = "household_id"

    stay_id: UUID
    household_id: UUID
    check_out: date = Field(description="Morning of departure; the last night was the day before.")
    destination: MoveOutDestination
