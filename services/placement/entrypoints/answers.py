"""What placement's API answers: one response model per route, and the functions that make them from domain
objects and query rows. A stay's written justification is shown only where the user may see the stay."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel, Field

from services.placement.adapters import queries
from services.placement.domain import matching, model
from services.placement.service_layer import views


def _money(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


class AgreementOut(BaseModel):
    kind: str
    price_per_night: float | None
    fixed_places: int
    valid_from: date | None
    valid_to: date | None
    target_groups: list[str]


class LimitsOut(BaseModel):
    sex: str | None
    min_age: int | None
    max_age: int | None
    substance_free: bool


class InspectionOut(BaseModel):
    inspected_on: date
    result: str
    next_due: date


class ProviderOut(BaseModel):
    provider_id: UUID
    slug: str | None
    name: str
    orgnr: str
    kind: str
    municipality: str
    district: str | None
    address: str
    email: str | None = Field(description="Where requisitions are sent.")
    accommodation: str
    agreement: AgreementOut
    limits: LimitsOut
    inspection: InspectionOut | None

    @classmethod
    def of(cls, p: model.Provider, **extra) -> ProviderOut:
        a, lim, i = p.agreement, p.limits, p.inspection
        return cls(
            provider_id=p.id, slug=p.slug, name=p.name, orgnr=p.orgnr, kind=p.kind, municipality=p.municipality,
            district=p.district, address=p.address, email=p.email, accommodation=p.accommodation,
            agreement=AgreementOut(kind=a.kind, price_per_night=_money(a.price_per_night),
                                   fixed_places=a.fixed_places, valid_from=a.valid_from, valid_to=a.valid_to,
                                   target_groups=list(a.target_groups)),
            limits=LimitsOut(sex=lim.sex, min_age=lim.min_age, max_age=lim.max_age,
                             substance_free=lim.substance_free),
            inspection=InspectionOut(inspected_on=i.inspected_on, result=i.result, next_due=i.next_due)
            if i else None, **extra)


class PlannedMoveOutOut(BaseModel):
    check_out: date = Field(description="The planned morning of departure.")
    destination: str


def planned_move_out(check_out: date | None, destination: str | None) -> PlannedMoveOutOut | None:
    return PlannedMoveOutOut(check_out=check_out, destination=destination) if check_out else None


class ProviderUnitOut(BaseModel):
    unit_id: UUID
    name: str
    beds: int
    address: str
    facilities: dict
    occupied: int
    planned_move_out: PlannedMoveOutOut | None = Field(
        description="The household in the unit has a planned move-out: the unit is taken until then.")


class ProviderWithUnitsOut(ProviderOut):
    units: list[ProviderUnitOut]


class UnitOut(BaseModel):
    unit_id: UUID
    provider_id: UUID
    name: str
    beds: int
    address: str
    facilities: dict


class UnitChangedOut(BaseModel):
    unit_id: UUID
    name: str
    beds: int
    facilities: dict


class AwaitingOut(BaseModel):
    decision_id: UUID
    household_id: UUID
    office_id: str
    period_from: date | None
    period_to: date | None


class DecisionOut(AwaitingOut):
    municipality: str
    outcome: str
    extends_decision_id: UUID | None
    conditions: list[str]


class RuleOut(BaseModel):
    rule: str
    message: str


class MatchOut(BaseModel):
    """One place and how it matches: refusals (hard rules, left out), flags (soft rules, need a justification)
    and the reasons that rank it."""

    provider_id: UUID
    provider: str
    unit_id: UUID
    unit: str
    beds: int
    address: str
    municipality: str
    accommodation: str
    agreement_kind: str
    price_per_night: float | None
    refusals: list[RuleOut]
    flags: list[RuleOut]
    needs_justification: bool
    reasons: list[str]
    nearness: str = Field(description="`home_district`, `home` (the decision's municipality), `near` (same county "
                                      "or a listed neighbour) or `elsewhere`.")


class MatchesOut(BaseModel):
    fits: list[MatchOut] = Field(description="The places that fit, nearest first, best first within each.")
    left_out: list[MatchOut] = Field(description="The units that cannot be used, with the hard rules each breaks.")
    elsewhere: int = Field(description="Places that fit outside the municipality and its neighbours, not listed "
                                       "(ask with `everywhere=true`).")
    municipalities: list[str] = Field(description="Every municipality with a place (the filter's choices).")


def match_json(m: matching.Match) -> dict:
    """A match as MatchOut documents it, in plain values (for FastJSONResponse: hundreds of places)."""
    return {"provider_id": str(m.provider.id), "provider": m.provider.name, "unit_id": str(m.unit.id),
            "unit": m.unit.name, "beds": m.unit.beds, "address": m.unit.address,
            "municipality": m.provider.municipality, "accommodation": m.provider.accommodation,
            "agreement_kind": m.provider.agreement_kind, "price_per_night": _money(m.provider.price_per_night),
            "refusals": [{"rule": r.code, "message": r.message} for r in m.refusals],
            "flags": [{"rule": r.code, "message": r.message} for r in m.flags],
            "needs_justification": m.needs_justification, "reasons": list(m.reasons),
            "nearness": m.nearness.name.lower()}


class StayOut(BaseModel):
    stay_id: UUID
    household_id: UUID
    decision_id: UUID
    unit_id: UUID
    provider_id: UUID
    check_in: date
    authorised_to: date
    check_out: date | None = Field(description="Set when the household has moved out (a planned move-out is in "
                                               "`planned_move_out` until its day).")
    destination: str | None
    justification: str | None = Field(description="The written justification (placement's own; never sent on).")
    justified_rules: list[str] = Field(description="The soft rules the justification covers.")
    planned_move_out: PlannedMoveOutOut | None
    office_id: str
    warnings: list[str]
    moved_from_stay_id: UUID | None

    @classmethod
    def of(cls, s: model.Stay, **extra) -> StayOut:
        planned = planned_move_out(s.planned_check_out, s.planned_destination)
        return cls(stay_id=s.id, household_id=s.household_id, decision_id=s.decision_id, unit_id=s.unit_id,
                   provider_id=s.provider_id, check_in=s.check_in, authorised_to=s.authorised_to,
                   check_out=s.check_out, destination=s.destination, justification=s.justification,
                   justified_rules=list(s.justified_rules), planned_move_out=planned, office_id=s.office_id,
                   warnings=list(s.warnings), moved_from_stay_id=s.moved_from_stay_id, **extra)


class PlacedOut(StayOut):
    flags: list[str] = Field(description="The soft rules the place breaks (the justification covers them).")


class ExtensionOut(BaseModel):
    id: UUID
    stay_id: UUID
    decision_id: UUID
    previous_authorised_to: date
    authorised_to: date
    extended_at: datetime


class StayWithExtensionsOut(StayOut):
    extensions: list[ExtensionOut]


class StayListOut(BaseModel):
    """One of the office's stays, as its row reads."""

    id: UUID
    household_id: UUID
    decision_id: UUID
    unit_id: UUID
    provider_id: UUID
    check_in: date
    authorised_to: date
    check_out: date | None
    destination: str | None
    justification: str | None
    justified_rules: list[str]
    planned_check_out: date | None
    planned_destination: str | None
    created_at: datetime
    office_id: str
    municipality: str
    substance_group: bool
    moved_from_stay_id: UUID | None
    warnings: list[str]
    imported: bool
    provider: str
    unit: str

    @classmethod
    def of(cls, r: queries.StayRow) -> StayListOut:
        s = r.stay
        return cls(id=s.id, household_id=s.household_id, decision_id=s.decision_id, unit_id=s.unit_id,
                   provider_id=s.provider_id, check_in=s.check_in, authorised_to=s.authorised_to,
                   check_out=s.check_out, destination=s.destination, justification=s.justification,
                   justified_rules=list(s.justified_rules), planned_check_out=s.planned_check_out,
                   planned_destination=s.planned_destination, created_at=r.created_at, office_id=s.office_id,
                   municipality=s.municipality, substance_group=s.substance_group,
                   moved_from_stay_id=s.moved_from_stay_id, warnings=list(s.warnings), imported=r.imported,
                   provider=r.provider, unit=r.unit)


class MoveOutOut(BaseModel):
    stay_id: UUID
    check_out: date = Field(description="The day of the move-out: done, or planned when `planned`.")
    destination: str
    planned: bool = Field(description="True: the household moves out on `check_out`, after today; until then "
                                      "the unit stays taken and the move-out can be changed or cancelled.")

    @classmethod
    def of(cls, s: model.Stay) -> MoveOutOut:
        planned = s.check_out is None
        return cls(stay_id=s.id, check_out=s.planned_check_out if planned else s.check_out,
                   destination=s.planned_destination if planned else s.destination, planned=planned)


class CapacityOut(BaseModel):
    provider_id: UUID
    provider: str
    municipality: str
    district: str | None
    accommodation: str
    agreement_kind: str
    unit_id: UUID
    unit: str
    beds: int
    address: str
    facilities: dict
    occupied: int = Field(description="Households in the unit now (a unit takes one).")
    free: int
    free_beds: int
    planned_move_out: PlannedMoveOutOut | None = Field(
        description="The household in the unit has a planned move-out: the unit stays taken until that day.")

    @classmethod
    def of(cls, r: queries.CapacityRow) -> CapacityOut:
        fields = {k: v for k, v in vars(r).items() if not k.startswith("planned_")}
        return cls(**fields, free=0 if r.occupied else 1, free_beds=0 if r.occupied else r.beds,
                   planned_move_out=planned_move_out(r.planned_check_out, r.planned_destination))


class ViewSettingsOut(BaseModel):
    three_months_nights: int
    near_three_months_nights: int
    young_ages: list[int]
    inspections_due_within_days: int


class ViewStayOut(BaseModel):
    stay_id: UUID
    household_id: UUID
    office_id: str
    provider: str
    unit: str
    accommodation: str
    agreement_kind: str
    check_in: date
    authorised_to: date
    nights: int
    children: int
    young: bool
    justified: bool = Field(description="A written justification is on record.")
    justified_rules: list[str]
    justification: str | None = Field(description="The text, for the office's own case workers and leaders "
                                                  "only (null for other roles).")
    planned_check_out: date | None

    @classmethod
    def of(cls, v: views.ViewStay, *, show_text: bool, **extra) -> ViewStayOut:
        s = v.row.stay
        return cls(stay_id=s.id, household_id=s.household_id, office_id=s.office_id, provider=v.row.provider,
                   unit=v.row.unit, accommodation=v.row.accommodation, agreement_kind=v.row.agreement_kind,
                   check_in=s.check_in, authorised_to=s.authorised_to, nights=v.row.nights, children=v.children,
                   young=v.young, justified=s.justification is not None, justified_rules=list(s.justified_rules),
                   justification=s.justification if show_text else None, planned_check_out=s.planned_check_out,
                   **extra)


class ThreeMonthsOut(ViewStayOut):
    status: str = Field(description="`near` (from 76 nights) or `over` (past 90).")


class InspectionDueOut(BaseModel):
    provider_id: UUID
    name: str
    municipality: str
    inspected_on: date | None
    result: str | None
    next_due: date | None
    households: int
    overdue: bool


class ViewsOut(BaseModel):
    settings: ViewSettingsOut
    three_months: list[ThreeMonthsOut]
    families_and_young: list[ViewStayOut]
    outside_agreement: list[ViewStayOut]
    inspections_due: list[InspectionDueOut]

    @classmethod
    def of(cls, v: views.LiveViews, *, show_text: bool) -> ViewsOut:
        return cls(
            settings=ViewSettingsOut(three_months_nights=model.THREE_MONTHS_NIGHTS,
                                     near_three_months_nights=model.NEAR_THREE_MONTHS_NIGHTS,
                                     young_ages=list(model.YOUNG_AGES),
                                     inspections_due_within_days=views.INSPECTIONS_DUE_WITHIN_DAYS),
            three_months=[ThreeMonthsOut.of(s, show_text=show_text, status=s.status) for s in v.three_months],
            families_and_young=[ViewStayOut.of(s, show_text=show_text) for s in v.families_and_young],
            outside_agreement=[ViewStayOut.of(s, show_text=show_text) for s in v.outside_agreement],
            inspections_due=[InspectionDueOut(**vars(d.row), overdue=d.overdue) for d in v.inspections_due])
