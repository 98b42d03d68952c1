"""One household's stays with their history (who placed, extended, moved, planned or registered the move-out,
and when), for intake's case page, which asks on behalf of the logged-in case worker. Their office only."""

from __future__ import annotations

from fastapi import APIRouter

from services.placement.entrypoints.deps import VisibleHouseholdStays
from services.placement.entrypoints.household_answers import HouseholdStaysOut, StayHistoryOut

router = APIRouter(prefix="/api/households", tags=["stays"])


@router.get("/{household_id}/stays", response_model=HouseholdStaysOut,
            responses={404: {"description": "Placement knows no decision or stay of the household."}})
async def household_stays(found: VisibleHouseholdStays) -> HouseholdStaysOut:
    return HouseholdStaysOut(household_id=found.household_id, stays=[StayHistoryOut.of(r) for r in found.stays])
