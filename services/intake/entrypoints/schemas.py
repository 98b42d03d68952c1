"""Request and answer models of intake's API, shared by the JSON API and the form pages. Every string is
bounded and clean (entrypoints/text.py); identity numbers are only length-bounded here, and the domain says
what is wrong with one (too few digits, a wrong check digit, a date that does not exist)."""

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts import PlacementNeeds
from services.intake.domain.decisions import LEGAL_BASIS
from services.intake.domain.search import MOST_SHOWN, QUERY_MAX
from services.intake.entrypoints.text import Line, Text

Condition = Literal["boligskole", "boliglogg", "other_activity"]
IdentityNumberText = Line(30)
OfficeId = Line(64)


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ApplicationIn(In):
    identity_number: IdentityNumberText = Field(description="Fødselsnummer or D-nummer (11 digits).")
    name: Line(200, min_length=1)
    office_id: OfficeId
    received_at: AwareDatetime | None = Field(None, description="Defaults to now.")
    channel: Literal["in_person", "phone", "provider", "digital"] = "in_person"
    urgent: bool = Field(False, description="Needs a place tonight.")
    children_birth_dates: list[date] = Field(default_factory=list, max_length=20)
    adults: int = Field(1, ge=1, le=20)
    needs: PlacementNeeds = Field(default_factory=PlacementNeeds)
    phone: Line(30) | None = None
    address: Line(300) | None = None
    no_fixed_address: bool = Field(False, description="Uten fast bolig.")
    preferred_language: Line(50) | None = None
    provider_org_number: Line(20) | None = Field(None, description="The provider that reported it (channel provider).")
    wishes: Text(2000) | None = Field(None, description="Needs and wishes.")
    notes: Text(4000) | None = None


class DecisionIn(In):
    outcome: Literal["granted", "refused"]
    period_from: date | None = None
    period_to: date | None = None
    conditions: list[Condition] = Field(default_factory=list, max_length=3)
    legal_basis: Line(200, min_length=1) = LEGAL_BASIS
    consequence: Text(2000) | None = Field(None, description="What happens if conditions are not met.")
    refusal_reason: Text(4000) | None = None
    justification: Text(4000) | None = Field(None, description="Why, despite the warnings.")


class ExtensionIn(In):
    period_to: date
    conditions: list[Condition] = Field(default_factory=list, max_length=3)
    consequence: Text(2000) | None = None
    justification: Text(4000) | None = None


class ApprovalIn(In):
    justification: Text(4000) | None = Field(
        None, description="The leader's written justification; required when the decision takes a family with "
                          "children or a young applicant past three months in total.")


class ReturnIn(In):
    reason: Text(2000) = Field(min_length=1)


class LookupIn(In):
    identity_number: IdentityNumberText
    purpose: Line(200, min_length=1) = Field(description="Why the person is looked up (audit log).")


class PeopleIn(In):
    household_ids: list[UUID] = Field(min_length=1, max_length=500, description="The households to name (in the "
                                      "body: ids never go in a URL of a request about a person).")
    purpose: Line(200, min_length=1) = Field(description="Why they are looked up: the page or document that shows "
                                             "them (audit log).", examples=["Plassering: oppholdet"])
    on_behalf_of: Line(100) | None = Field(None, description="A service only: the case worker it acts for (the "
                                           "audit log records the view as theirs).")


class PersonOut(BaseModel):
    household_id: UUID
    name: str = Field(description="The applicant's name.")
    birth_date: date = Field(description="The applicant's birth date.")
    reference: str | None = Field(description="The asking office's own reference for the household.",
                                  examples=["2026-0042"])


class PeopleOut(BaseModel):
    people: list[PersonOut]
    not_shown: list[UUID] = Field(description="Asked for but not shown: unknown, or not the asking office's.")


class SearchIn(In):
    q: Line(QUERY_MAX, min_length=1) = Field(description="A name (or part of one), an identity number or the "
                                            "office's reference; in the body, never in a URL.",
                                            examples=["Ola Nord", "2026-0042"])


class SearchOut(BaseModel):
    kind: Literal["identity", "reference", "name"] = Field(description="What the query was read as.")
    people: list[PersonOut] = Field(description=f"The office's households found, best first (at most {MOST_SHOWN}).")
    more: bool = Field(description="More matched than are shown: narrow the search.")


class QueueDecisionOut(BaseModel):
    decision_id: UUID
    application_id: UUID
    household_id: UUID
    outcome: str
    period_from: date | None
    period_to: date | None
    decided_at: datetime
    decided_by: str | None
    extension: bool = Field(description="The decision extends an earlier one.")
    warnings: list[str]
    leader_justification_required: bool
    own: bool = Field(description="The asking leader made it, so another leader must approve it.")
    reference: str | None


class QueuePlacementOut(BaseModel):
    item_id: UUID = Field(description="What is marked as seen: the stay (a placement) or the extension.")
    kind: Literal["placement", "extension"]
    stay_id: UUID
    household_id: UUID
    at: date = Field(description="The day of the placement (check-in) or of the extension.")
    provider: str
    unit: str
    authorised_to: date
    reasons: list[str] = Field(description="Why a leader should see it, in Norwegian.")
    justification: str | None
    by: str | None = Field(description="The case worker who placed the household.")


class QueueOut(BaseModel):
    decisions: list[QueueDecisionOut]
    placements: list[QueuePlacementOut]
    placement_note: str | None = Field(description="Why placement's part is missing, when it is (Norwegian).")
    count: int = Field(description="What the leader can act on: others' decisions and the placements not seen.")


class QueueCountOut(BaseModel):
    count: int
    complete: bool = Field(description="False when placement did not answer: its part is not counted.")


class TransferIn(In):
    identity_number: IdentityNumberText = Field(description="The household's identity number (never in a URL).")
    reason: Text(2000) = Field(min_length=1, description="Why the household moves to this office.")
    to_office_id: OfficeId | None = Field(None, description="The receiving office; a leader's own office by "
                                                             "default, required for an admin.")


class ApplicationOut(BaseModel):
    application_id: UUID
    household_id: UUID
    new_household: bool


class TransferOut(BaseModel):
    household_id: UUID
    from_office_id: str
    office_id: str = Field(description="The household's office now.")
    transferred_at: datetime


class DecisionOut(BaseModel):
    decision_id: UUID
    application_id: UUID
    household_id: UUID
    outcome: str
    status: Literal["awaiting_approval", "in_effect", "returned"]
    period_from: date | None
    period_to: date | None
    conditions: list[str]
    legal_basis: str
    consequence: str | None
    refusal_reason: str | None
    justification: str | None
    appeal_deadline: date | None
    warnings: list[str]
    decided_by: str
    decided_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    extends_decision_id: UUID | None
    leader_justification_required: bool = Field(
        description="Past three months for a family with children or a young applicant: a leader approves it "
                    "with a written justification.")
    leader_justification: str | None


class CaseRowOut(BaseModel):
    """A case in the office's list, without personal data."""

    id: UUID
    application_id: UUID
    household_id: UUID
    office_id: str
    received_at: datetime
    channel: str
    urgent: bool
    status: str
    applicant_birth_date: date
    adults: int
    children: int
    decision_id: UUID | None
    outcome: str | None
    period_from: date | None
    period_to: date | None
    decision_status: str | None
    warnings: list[str] | None
    decided_by: str | None


class HouseholdRowOut(BaseModel):
    """A household in the office's list, without personal data: the office's reference, its size, its latest
    application's status and that application's latest decision."""

    household_id: UUID
    reference: str | None
    created_at: datetime
    adults: int
    children: int
    application_id: UUID | None
    application_status: str | None
    decision_id: UUID | None
    outcome: str | None
    decision_status: str | None
    period_from: date | None
    period_to: date | None
    decided_at: datetime | None


class HouseholdOut(BaseModel):
    household_id: UUID
    office_id: str
    name: str | None
    identity_number: str | None
    applicant_birth_date: date
    children_birth_dates: list[date]
    adults: int
    needs: dict[str, Any]
    preferred_language: str | None
    phone: str | None
    address: str | None
    no_fixed_address: bool


class ApplicationDetailOut(BaseModel):
    application_id: UUID
    household_id: UUID
    office_id: str
    received_at: datetime
    channel: str
    urgent: bool
    status: str
    provider_org_number: str | None
    registered_by: str | None
    wishes: str | None
    notes: str | None


class CaseOut(BaseModel):
    application: ApplicationDetailOut
    household: HouseholdOut
    decisions: list[DecisionOut]
    reference: str | None = Field(None, description="The application's office's own reference for the household.")


class HistoryOut(BaseModel):
    household: HouseholdOut
    applications: list[ApplicationDetailOut]
    decisions: list[DecisionOut]
    reference: str | None = Field(None, description="The caller's office's own reference for the household.")


class AuditOut(BaseModel):
    id: int
    at: datetime
    username: str
    role: str
    office_id: str | None
    household_id: UUID | None
    action: str
    purpose: str


# -- the office registry --------------------------------------------------------------------------------------


class OfficeIn(In):
    """An office as an administrator registers or changes it (the fields of the offices file)."""

    name: Line(100, min_length=1) = Field(description="The office's name as Nav writes it.", examples=["Nav Sagene"])
    municipality: Line(10, min_length=1) = Field(description="Kommunenummer, 4 digits (SSB's current "
                                                              "classification).", examples=["0301"])
    district: Line(100) | None = Field(None, description="Oslo district (bydel) by name or two-digit number; "
                                                          "required in Oslo, empty elsewhere.", examples=["Sagene"])
    second_approval: bool = Field(False, description="Every decision needs a leader's second approval.")
    address: Line(200) | None = Field(None, description="The office's postal address.")
    phone: Line(30) | None = Field(None, description="The office's phone number: 8 digits, +47 allowed.",
                                   examples=["55553333"])
    email: Line(254) | None = Field(None, description="The office's functional mailbox for providers.")


class OfficeOut(BaseModel):
    office_id: str = Field(description="Stable id, made from the name when registered.", examples=["nav-sagene"])
    name: str
    municipality: str
    municipality_name: str | None = Field(description="From SSB's classification.")
    district: str | None
    second_approval: bool
    address: str | None
    phone: str | None
    email: str | None
    closed: bool = Field(description="Closed: takes no new applications; its cases and history stay.")


class ImportedOfficeOut(BaseModel):
    line: int
    office_id: str = Field(description="The office's id (in a dry run: the id a new office would get).")
    name: str
    municipality: str
    outcome: Literal["registered", "changed", "unchanged"]


class RejectedOfficeRowOut(BaseModel):
    line: int = Field(description="Line in the file (the header is line 1).")
    field: str | None = Field(description="The column at fault, when one is.")
    reason: str


class OfficeImportOut(BaseModel):
    rows: int
    registered: int = Field(description="New offices (in a dry run: that would be registered).")
    changed: int
    unchanged: int
    rejected_count: int
    rejected: list[RejectedOfficeRowOut] = Field(description="Every bad row, with its line and the reason.")
    offices: list[ImportedOfficeOut] = Field(description="Every good row and what the import did with it.")
    written: bool = Field(description="Anything was registered or changed.")
    dry_run: bool
    partial: bool
