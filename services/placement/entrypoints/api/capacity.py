"""The capacity board's data: every unit, free or taken, by municipality or office."""

from __future__ import annotations

from fastapi import APIRouter, Request

from services.placement.entrypoints.answers import CapacityOut
from services.placement.entrypoints.deps import Queries, Viewer
from services.placement.entrypoints.schemas import MunicipalityFilter, OfficeFilter

router = APIRouter(prefix="/api", tags=["live views"])


def municipality_of(request: Request, office_id: str | None) -> str | None:
    return request.app.state.offices.get(office_id, {}).get("municipality") if office_id else None


@router.get("/capacity", response_model=list[CapacityOut])
async def capacity(request: Request, _user: Viewer, queries: Queries, municipality: MunicipalityFilter = None,
                   office_id: OfficeFilter = None):
    """Units with free and occupied (households; a unit takes one). Filter by municipality, or by an office
    (its municipality); neither: every unit."""
    chosen = municipality or municipality_of(request, office_id)
    return [CapacityOut.of(r) for r in await queries.capacity(chosen)]
