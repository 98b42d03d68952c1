"""What placement answers about one household: its stays with their history, for intake's case page. Ids,
days, places and the staff who acted; never the household's personal data or a case worker's free text (the
justification stays on placement's own stay page)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from services.placement.adapters.queries import StayHistoryRow
from services.placement.domain import model

StayActionName = Literal["placed", "extended", "moved", "move_out_planned", "planned_move_out_cancelled",
                         "moved_out"]


class StayActionOut(BaseModel):
    action: StayActionName
    at: datetime | None = Field(description="When it was done (None: from before placement kept the time, or "
                                            "imported history).")
    on_date: date | None = Field(description="The day it concerns: check-in, the new last authorised night, the "
                                             "day of the move or (planned) move-out.")
    destination: str | None = Field(description="Where the household moved (move-outs).")
    by: str | None = Field(description="The case worker's username (None: placement itself — a planned move-out "
                                       "on its day, an extension following intake's decision — or history).")
    by_name: str | None = Field(description="The case worker's name, as their login gives it.")


class StayHistoryOut(BaseModel):
    stay_id: UUID
    decision_id: UUID
    office_id: str
    provider_id: UUID
    provider_name: str
    unit_id: UUID
    unit_name: str
    check_in: date
    authorised_to: date
    check_out: date | None
    destination: str | None
    planned_check_out: date | None
    planned_destination: str | None
    moved_from_stay_id: UUID | None
    imported: bool
    actions: list[StayActionOut] = Field(description="What was done to the stay, oldest first.")

    @classmethod
    def of(cls, r: StayHistoryRow) -> StayHistoryOut:
        s: model.Stay = r.stay
        return cls(stay_id=s.id, decision_id=s.decision_id, office_id=s.office_id, provider_id=s.provider_id,
                   provider_name=r.provider, unit_id=s.unit_id, unit_name=r.unit, check_in=s.check_in,
                   authorised_to=s.authorised_to, check_out=s.check_out, destination=s.destination,
                   planned_check_out=s.planned_check_out, planned_destination=s.planned_destination,
                   moved_from_stay_id=s.moved_from_stay_id, imported=r.imported,
                   actions=[StayActionOut(action=a.action, at=a.at, on_date=a.on_date, destination=a.destination,
                                          by=a.by, by_name=a.by_name) for a in r.actions])


class HouseholdStaysOut(BaseModel):
    household_id: UUID
    stays: list[StayHistoryOut] = Field(description="The household's stays at the user's office, oldest first.")
