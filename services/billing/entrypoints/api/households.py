"""One household's requisitions with the invoice lines billed against them (what was paid or disputed, who did
what), for intake's case page, which asks on behalf of the logged-in case worker. Their office's only."""

from __future__ import annotations

from fastapi import APIRouter

from services.billing.entrypoints.deps import VisibleHouseholdRequisitions
from services.billing.entrypoints.household_answers import HouseholdRequisitionsOut, RequisitionHistoryOut

router = APIRouter(prefix="/api/households", tags=["requisitions"])


@router.get("/{household_id}/requisitions", response_model=HouseholdRequisitionsOut,
            responses={404: {"description": "Billing has no requisition for the household."}})
async def household_requisitions(found: VisibleHouseholdRequisitions) -> HouseholdRequisitionsOut:
    return HouseholdRequisitionsOut(household_id=found.household_id,
                                    requisitions=[RequisitionHistoryOut.of(h) for h in found.requisitions])
