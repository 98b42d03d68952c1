"""The capacity board's data: every unit, free or taken, by municipality or office."""

from __future__ import annotations

from fastapi import APIRouter

from services.placement.entrypoints.answers import CapacityOut
from services.placement.entrypoints.deps import Queries, Viewer
from services.placement.entrypoints.schemas import MunicipalityFilter, OfficeFilter

router = APIRouter(prefix="/api", tags=["live views"])


@router.get("/capacity", response_model=list[CapacityOut])
async def capacity(_user: Viewer, queries: Queries, municipality: MunicipalityFilter = None,
                   office_id: OfficeFilter = None):
    """Units with free and occupied (households; a unit takes one). Filter by municipality, or by an office
    (its municipality, as placement knows the office from intake's events); neither: every unit."""
    chosen = municipality or ((await queries.offices()).get(office_id, {}).get("municipality") if office_id else None)
    return [CapacityOut.of(r) for r in await queries.capacity(chosen)]
