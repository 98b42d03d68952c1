"""What placement's API takes: request models and bounded query parameters. Every string is bounded and clean
(no NUL or other control characters, no lone surrogates; line breaks and tabs in free text only), money and
counts fit what every consumer stores; each refusal names its field. The answers are in `answers.py`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import partial
from typing import Annotated, Literal
from uuid import UUID

from fastapi import Query
from pydantic import AfterValidator, BaseModel, Field, StringConstraints
from pydantic_core import PydanticCustomError

from services.placement.domain import model
from services.placement.domain.values import MAX_BEDS, MAX_FIXED_PLACES, text_problem


def _clean(value: str, *, max_length: int, multiline: bool) -> str:
    problem = text_problem(value, max_length=max_length, multiline=multiline)
    if problem:
        raise PydanticCustomError("text", "Teksten {problem}.", {"problem": problem})
    return value


def Line(max_length: int):  # noqa: N802 - used as a type
    """A one-line string of at most `max_length` characters."""
    return Annotated[str, StringConstraints(max_length=max_length),
                     AfterValidator(partial(_clean, max_length=max_length, multiline=False))]


def Text(max_length: int):  # noqa: N802 - used as a type
    """Free text (tab and line breaks allowed) of at most `max_length` characters."""
    return Annotated[str, StringConstraints(max_length=max_length),
                     AfterValidator(partial(_clean, max_length=max_length, multiline=True))]


# Filters as they are written: a municipality number, an office id (empty is allowed: the page's "all" choice
# sends an empty value). A NUL byte would reach PostgreSQL, which refuses it in text.
MunicipalityFilter = Annotated[str | None, Query(pattern=r"^(\d{4})?$", max_length=4)]
OfficeFilter = Annotated[str | None, Query(pattern=r"^([a-z0-9-]{1,64})?$", max_length=64)]
DateText = Annotated[str | None, Query(max_length=32, description="YYYY-MM-DD.")]
Notice = Annotated[int, Query(ge=0, le=1)]
# Matching's filters, as the places page's form sends them (an empty value: no filter).
TargetGroupFilter = Annotated[str | None, Query(pattern="^(" + "|".join(model.TARGET_GROUPS) + ")?$", max_length=30,
                                                description="Only providers whose agreement has this target group.")]
KitchenFilter = Annotated[str | None, Query(pattern="^(own|shared)?$", max_length=6,
                                            description="At least this kitchen in the unit: own, or shared (or own).")]
MinBedsFilter = Annotated[str | None, Query(pattern=r"^\d{0,4}$", max_length=4,
                                            description="Free beds at least (a free unit's beds).")]
FirstLine = Annotated[int, Query(ge=2, le=100_000_000, description="Line of the first row in the whole file (for "
                                                                    "a file sent in chunks, each with the header).")]

Destination = Literal["municipal_rental", "private_rental", "own_home", "institution", "other_municipality",
                      "other", "unknown"]
# Bounds the domain checks with a Norwegian message (`domain/values.py`): named here for the OpenAPI document.
PricePerNight = Annotated[Decimal, Field(allow_inf_nan=False, description="NOK per night: 0 to 100 000, whole øre "
                                         "(what the contracts' PricePerNight and every consumer hold).")]
ChecklistKey = Annotated[str, StringConstraints(pattern=model.CHECKLIST_KEY.pattern, max_length=50)]


class In(BaseModel):
    """Unknown fields are ignored, as they always were."""


class PlacementIn(In):
    decision_id: UUID
    unit_id: UUID
    check_in: date
    justification: Text(model.JUSTIFICATION_MAX_LENGTH) | None = Field(
        None, description="Written justification when a soft rule is broken. Stays in placement.")
    night_shelter: bool = False


class ExtendIn(In):
    decision_id: UUID = Field(description="The new granted decision whose period the stay follows.")


class MoveIn(In):
    unit_id: UUID
    moved_on: date = Field(description="Move-out from the old unit and check-in at the new one (today or "
                                       "earlier: a move is registered on its day, not planned ahead).")
    justification: Text(model.JUSTIFICATION_MAX_LENGTH) | None = None


class MoveOutIn(In):
    check_out: date = Field(description="Morning of departure. After today: a planned move-out (the unit stays "
                                        "taken until then); registering again changes the plan.")
    destination: Destination


class AgreementIn(In):
    kind: Literal["framework", "quality", "operating", "municipal", "none"] = "none"
    price_per_night: PricePerNight | None = None
    fixed_places: int = Field(0, description=f"Places paid whether used or not: 0 to {MAX_FIXED_PLACES}.")
    valid_from: date | None = None
    valid_to: date | None = None
    target_groups: list[Literal["substance_use_low_boevne", "substance_use", "singles_couples", "families",
                                "young"]] = Field(default_factory=list, max_length=5)


class LimitsIn(In):
    sex: Literal["women_only", "men_and_non_binary_only"] | None = None
    min_age: int | None = Field(None, ge=0, le=120)
    max_age: int | None = Field(None, ge=0, le=120)
    substance_free: bool = False


class ProviderIn(In):
    name: Line(200)
    orgnr: Line(20) = Field(description="Organisation number, 9 digits with a mod-11 check digit.")
    kind: Literal["municipal", "non_profit", "private"]
    municipality: Line(4)
    district: Line(100) | None = None
    address: Line(300)
    email: Line(model.EMAIL_MAX_LENGTH) | None = Field(None, description="Where requisitions are sent.")
    accommodation: Literal["temporary", "night_shelter"] = "temporary"
    agreement: AgreementIn = Field(default_factory=AgreementIn)
    limits: LimitsIn = Field(default_factory=LimitsIn)


class FacilitiesIn(In):
    own_bath: bool = False
    kitchen: Literal["own", "shared", "none"] = "none"
    laundry: bool = False
    visits_allowed: bool = False
    staffed_hours: Line(model.STAFFED_HOURS_MAX_LENGTH) | None = Field(None, examples=["24/7"])


class UnitIn(In):
    name: Line(200)
    beds: int = Field(description=f"1 to {MAX_BEDS}.")
    address: Line(300) | None = Field(None, description="Defaults to the provider's address.")
    facilities: FacilitiesIn = Field(default_factory=FacilitiesIn)


class UnitChangeIn(In):
    name: Line(200) | None = None
    beds: int | None = Field(None, description=f"1 to {MAX_BEDS}.")
    facilities: FacilitiesIn | None = None


class InspectionIn(In):
    inspected_on: date
    result: Literal["approved", "remarks", "failed"]
    next_due: date
    checklist: dict[ChecklistKey, bool] = Field(default_factory=dict, max_length=model.MAX_CHECKLIST_ITEMS,
                                                examples=[{"standard": True, "fire_safety": True}])
