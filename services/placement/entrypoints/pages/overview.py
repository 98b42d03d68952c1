"""The capacity board and the live views, for everyone."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.placement.entrypoints.answers import ViewsOut
from services.placement.entrypoints.deps import WORKERS, Queries, Today, Viewer
from services.placement.entrypoints.pages.common import people_of, render
from services.placement.entrypoints.schemas import MunicipalityFilter, OfficeFilter
from services.placement.service_layer import views

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


@router.get("/")
async def capacity_page(request: Request, user: Viewer, queries: Queries, today: Today,
                        municipality: MunicipalityFilter = None, office: OfficeFilter = None, hvem: bool = False):
    """`hvem`: a case worker or leader asks who lives in their office's units (names from intake, audited; the
    board then stops refreshing itself, so that a name is not fetched every half minute)."""
    offices = await queries.offices()
    if municipality:
        chosen = municipality
    elif office:
        chosen = offices.get(office, {}).get("municipality")
    elif municipality is None and office is None:  # first visit: the user's own office
        chosen = offices.get(user.office_id, {}).get("municipality") if user.office_id else None
    else:  # "Alle kommuner" chosen
        chosen = None
    units = await queries.capacity(chosen)
    office = office or (user.office_id if municipality is None else None)
    from_office: dict[str, int] = {}
    households: dict[UUID, UUID] = {}  # unit → household, of the office's open stays
    if office:
        for s in await queries.open_stays(office, today):
            key = str(s.stay.provider_id)
            from_office[key] = from_office.get(key, 0) + 1
            households[s.stay.unit_id] = s.stay.household_id
    who = hvem and user.role in WORKERS and office == user.office_id
    people = await people_of(request, households.values(), "Plassering: kapasitetsoversikten") if who else None
    providers: dict[str, dict] = {}
    for r in units:
        p = providers.setdefault(str(r.provider_id), {
            "id": str(r.provider_id), "name": r.provider, "municipality": r.municipality, "district": r.district,
            "accommodation": r.accommodation, "agreement": r.agreement_kind, "beds": 0, "occupied": 0, "units": [],
            "from_office": from_office.get(str(r.provider_id), 0), "planned": []})
        p["beds"] += r.beds
        p["occupied"] += 1 if r.occupied else 0
        p["units"].append(r)
        if r.planned_check_out:
            p["planned"] = sorted([*p["planned"], r.planned_check_out])
    return render(request, "capacity.html", {
        "user": user, "providers": list(providers.values()), "municipality": chosen,
        "municipalities": sorted({o["municipality"] for o in offices.values()}), "office": office, "offices": offices,
        "people": people, "households": households if who else {}, "may_ask_who": user.role in WORKERS,
        "totals": {"units": len(units), "occupied": sum(1 for r in units if r.occupied)}})


@router.get("/views")
async def views_page(request: Request, user: Viewer, queries: Queries, today: Today):
    worker = user.role in WORKERS
    found = await views.live_views(queries, office_id=user.office_id if worker else None, today=today)
    v = ViewsOut.of(found, show_text=worker)
    rows = [*v.three_months, *v.families_and_young, *v.outside_agreement]
    people = await people_of(request, [r.household_id for r in rows], "Plassering: oversiktene") if worker else None
    return render(request, "views.html", {"user": user, "v": v, "people": people})
