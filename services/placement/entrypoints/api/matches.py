"""Matching: for a decision and a check-in day, the places that fit and those left out."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter

from kit.web import FastJSONResponse
from services.placement.entrypoints.answers import MatchesOut, match_json
from services.placement.entrypoints.deps import PlaceFilters, Queries, Today, VisibleDecision
from services.placement.service_layer import views

router = APIRouter(prefix="/api/decisions", tags=["decisions"])


@router.get("/{decision_id}/matches", response_model=MatchesOut)
async def matches(decision: VisibleDecision, queries: Queries, today: Today, filters: PlaceFilters,
                  check_in: date | None = None, night_shelter: bool = False):
    """The places that fit — in the office's municipality (and district) first, then near ones, the rest only with
    `everywhere` or a chosen `municipality` —, best first within each, and the units that cannot be used with
    why, narrowed by the filters."""
    places = await views.find_places(queries, decision, check_in=check_in or today, today=today,
                                     night_shelter=night_shelter, filters=filters)
    # Hundreds of places: encoded straight from plain values (as MatchesOut documents them), not field by
    # field through FastAPI's generic encoder, which cost more than the matching itself.
    return FastJSONResponse({"fits": [match_json(m) for m in places.fits],
                             "left_out": [match_json(m) for m in places.left_out], "elsewhere": places.elsewhere,
                             "municipalities": list(places.municipalities)})
