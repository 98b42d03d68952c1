"""Placement's HTTP API and pages. Routes translate requests into commands and nothing more."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Literal
from uuid import UUID

from fastapi import Depends, FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from pydantic import BaseModel, Field

from kit.auth import Role, User, api_user, page_user, require_office, require_role
from kit.problems import install_error_handlers
from kit.templating import templates
from kit.web import FastJSONResponse
from services.placement.adapters import stays_csv
from services.placement.adapters.repository import facts_from_json
from services.placement.domain import commands, history, matching, model
from services.placement.service_layer import handlers

# Filters as they are written: a municipality number, an office id (a NUL byte would reach PostgreSQL, which
# refuses it in text — a 500 that schemathesis found).
# Empty is allowed: the page's "all" choice sends an empty value.
MUNICIPALITY = r"^(\d{4})?$"
OFFICE_ID = r"^([a-z0-9-]{1,64})?$"
WORKERS = (Role.CASE_WORKER, Role.OFFICE_LEADER)
VIEWERS = (*WORKERS, Role.OPERATIONS, Role.FINANCE, Role.ADMIN)
PROVIDER_ADMINS = (Role.OFFICE_LEADER, Role.ADMIN)
INSPECTIONS_DUE_WITHIN_DAYS = 14
IMPORT_MAX_BYTES = 50 * 1024 * 1024

Destination = Literal["municipal_rental", "private_rental", "own_home", "institution", "other_municipality",
                      "other", "unknown"]
DESTINATIONS_NB = {
    "municipal_rental": "Kommunal utleiebolig", "private_rental": "Privat leid bolig", "own_home": "Eid bolig",
    "institution": "Institusjon", "other_municipality": "Annen kommune", "other": "Annet", "unknown": "Ukjent",
    "moved_to_other_provider": "Flyttet til annen tilbyder",
}
AGREEMENTS_NB = {"framework": "Rammeavtale", "quality": "Kvalitetsavtale", "operating": "Driftsavtale",
                 "municipal": "Kommunalt", "none": "Uten avtale"}
ACCOMMODATION_NB = {"temporary": "Midlertidig botilbud", "night_shelter": "Natthjem"}


class PlacementIn(BaseModel):
    decision_id: UUID
    unit_id: UUID
    check_in: date
    justification: str | None = Field(None, max_length=2000,
                                      description="Written justification when a soft rule is broken.")
    night_shelter: bool = False


class ExtendIn(BaseModel):
    decision_id: UUID = Field(description="The new granted decision whose period the stay follows.")


class MoveIn(BaseModel):
    unit_id: UUID
    moved_on: date = Field(description="Move-out from the old unit and check-in at the new one.")
    justification: str | None = Field(None, max_length=2000)


class MoveOutIn(BaseModel):
    check_out: date
    destination: Destination


class AgreementIn(BaseModel):
    kind: Literal["framework", "quality", "operating", "municipal", "none"] = "none"
    price_per_night: Decimal | None = None
    fixed_places: int = 0
    valid_from: date | None = None
    valid_to: date | None = None
    target_groups: list[Literal["substance_use_low_boevne", "substance_use", "singles_couples", "families",
                                "young"]] = Field(default_factory=list)


class LimitsIn(BaseModel):
    sex: Literal["women_only", "men_and_non_binary_only"] | None = None
    min_age: int | None = Field(None, ge=0, le=120)
    max_age: int | None = Field(None, ge=0, le=120)
    substance_free: bool = False


class ProviderIn(BaseModel):
    name: str = Field(max_length=200)
    orgnr: str = Field(max_length=20, description="Organisation number, 9 digits with a mod-11 check digit.")
    kind: Literal["municipal", "non_profit", "private"]
    municipality: str = Field(max_length=4)
    district: str | None = Field(None, max_length=100)
    address: str = Field(max_length=300)
    accommodation: Literal["temporary", "night_shelter"] = "temporary"
    agreement: AgreementIn = Field(default_factory=AgreementIn)
    limits: LimitsIn = Field(default_factory=LimitsIn)


class FacilitiesIn(BaseModel):
    own_bath: bool = False
    kitchen: Literal["own", "shared", "none"] = "none"
    laundry: bool = False
    visits_allowed: bool = False
    staffed_hours: str | None = Field(None, max_length=50)


class UnitIn(BaseModel):
    name: str = Field(max_length=200)
    beds: int = Field(description="At least one.")
    address: str | None = Field(None, max_length=300, description="Defaults to the provider's address.")
    facilities: FacilitiesIn = Field(default_factory=FacilitiesIn)


class UnitChangeIn(BaseModel):
    name: str | None = Field(None, max_length=200)
    beds: int | None = None
    facilities: FacilitiesIn | None = None


class InspectionIn(BaseModel):
    inspected_on: date
    result: Literal["approved", "remarks", "failed"]
    next_due: date
    checklist: dict[str, bool] = Field(default_factory=dict, examples=[{"standard": True, "fire_safety": True}])


def _today() -> date:
    return datetime.now(UTC).date()


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


class MatchesOut(BaseModel):
    fits: list[MatchOut] = Field(description="The places that fit, best first.")
    left_out: list[MatchOut] = Field(description="Every other place, with the hard rules it breaks.")


def _j(value):
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Decimal):
        return float(value)
    return value


def _match_json(m: matching.Match) -> dict:
    return {"provider_id": str(m.provider.id), "provider": m.provider.name, "unit_id": str(m.unit.id),
            "unit": m.unit.name, "beds": m.unit.beds, "address": m.unit.address,
            "municipality": m.provider.municipality, "accommodation": m.provider.accommodation,
            "agreement_kind": m.provider.agreement_kind,
            "price_per_night": _j(m.provider.price_per_night),
            "refusals": [{"rule": r.code, "message": r.message} for r in m.refusals],
            "flags": [{"rule": r.code, "message": r.message} for r in m.flags],
            "needs_justification": m.needs_justification, "reasons": list(m.reasons)}


def _stay_json(s: model.Stay) -> dict:
    return {"stay_id": str(s.id), "household_id": str(s.household_id), "decision_id": str(s.decision_id),
            "unit_id": str(s.unit_id), "provider_id": str(s.provider_id), "check_in": s.check_in,
            "authorised_to": s.authorised_to, "check_out": s.check_out, "destination": s.destination,
            "justification": s.justification, "office_id": s.office_id, "warnings": list(s.warnings),
            "moved_from_stay_id": _j(s.moved_from_stay_id)}


def _provider_cmd(body: ProviderIn) -> commands.RegisterProvider:
    a, lim = body.agreement, body.limits
    return commands.RegisterProvider(
        body.name, body.orgnr, body.kind, body.municipality, body.district, body.address, body.accommodation,
        a.kind, a.price_per_night, a.fixed_places, a.valid_from, a.valid_to, tuple(a.target_groups), lim.sex,
        lim.min_age, lim.max_age, lim.substance_free)


def group_matches(matches: list[matching.Match]) -> list[dict]:
    """Collapse units of one provider that match the same way into one line (with the first unit to pick)."""
    groups: dict[tuple, dict] = {}
    for m in matches:
        key = (m.provider.id, m.unit.beds, tuple(sorted((k, str(v)) for k, v in m.unit.facilities.items())),
               m.refusals, m.flags)
        g = groups.setdefault(key, {"match": m, "count": 0, "units": []})
        g["count"] += 1
        g["units"].append(m.unit)
    return list(groups.values())


def create_app(uow_factory, offices: dict[str, dict] | None = None,
               municipality_names: dict[str, str] | None = None) -> FastAPI:
    offices = offices or {}
    app = FastAPI(title="Botilbud placement", version="1",
                  description="Plassering og kapasitet: tilbydere, enheter, matching, opphold og levende oversikter.")
    install_error_handlers(app, {model.PlacementError: 422})
    pages = templates(Path(__file__).parent / "templates")
    pages.env.globals.update(destinations=DESTINATIONS_NB, agreements=AGREEMENTS_NB,
                             accommodations=ACCOMMODATION_NB, offices=offices,
                             municipality_names=municipality_names or {})

    def office_check(user: User):
        return lambda office: require_office(user, office)

    def municipality_of(user: User, municipality: str | None, office: str | None) -> str | None:
        if municipality:
            return municipality
        office = office or user.office_id
        return offices.get(office, {}).get("municipality") if office else None

    import_offices = {history.key(o["name"]): history.Office(oid, o["name"], o["municipality"], o.get("district"))
                      for oid, o in offices.items()}

    # --- API: stay history import ----------------------------------------------------------------------------

    @app.post("/api/imports/stays", tags=["imports"], openapi_extra={
        "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}})
    async def import_stays(request: Request, user: User = Depends(api_user),
                           partial: bool = Query(False, description="Import the good rows, report the bad ones."),
                           dry_run: bool = Query(False, description="Check every row, write nothing."),
                           first_line: int = Query(2, ge=2, description="Line of the first row in the whole file "
                                                   "(for a file sent in chunks, each with the header).")):
        """Import stay history (CSV, ../shared/formats/stays-import.md). By default one bad row rejects the
        file (422, nothing written); the answer lists every bad row with its line number and reason."""
        require_role(user, Role.OFFICE_LEADER, Role.ADMIN)
        data = await request.body()
        if len(data) > IMPORT_MAX_BYTES:
            return JSONResponse({"detail": [{"loc": ["body"], "msg": "Filen er for stor (over 50 MB): del den opp.",
                                             "type": "too_large"}]}, status_code=413)
        try:
            rows = stays_csv.read(data, first_line=first_line)
        except history.HeaderError as exc:
            return JSONResponse({"detail": [{"loc": ["body"], "msg": str(exc), "type": "format"}]}, status_code=422)
        result = await handlers.import_stays(commands.ImportStays(
            tuple(rows), partial, dry_run, user.office_id if user.role == Role.OFFICE_LEADER else None),
            uow_factory, import_offices)
        body = {"rows": result.rows, "stays_created": 0 if result.dry_run else len(result.created),
                "stays_to_create": len(result.created) if result.dry_run else None,
                "already_imported": result.already_imported, "written": result.written, "dry_run": result.dry_run,
                "partial": partial,
                "rejected": [{"line": e.line, "reason": e.reason, "field": e.field} for e in result.rejected],
                "stay_ids": [str(i) for i in result.created]}
        if result.rejected and not partial:
            body["detail"] = [{"loc": ["body", f"line {e.line}"] + ([e.field] if e.field else []),
                               "msg": f"Linje {e.line}: {e.reason}", "type": "bad_row"} for e in result.rejected]
            return JSONResponse(body, status_code=422)
        return body

    # --- API: providers and units --------------------------------------------------------------------------

    @app.get("/api/providers", tags=["providers"])
    async def list_providers(user: User = Depends(api_user)):
        require_role(user, *VIEWERS)
        async with uow_factory() as uow:
            providers = await uow.repo.providers()
            rows = await uow.repo.capacity(None)
        units: dict[UUID, list] = {}
        for r in rows:
            units.setdefault(r["provider_id"], []).append(
                {"unit_id": str(r["unit_id"]), "name": r["unit"], "beds": r["beds"], "address": r["address"],
                 "facilities": r["facilities"], "occupied": r["occupied"]})
        return [_provider_json(p) | {"units": units.get(p.id, [])} for p in providers]

    @app.post("/api/providers", status_code=201, tags=["providers"])
    async def post_provider(body: ProviderIn, user: User = Depends(api_user)):
        require_role(user, *PROVIDER_ADMINS)
        provider = await handlers.register_provider(_provider_cmd(body), uow_factory)
        return _provider_json(provider)

    @app.put("/api/providers/{provider_id}", tags=["providers"])
    async def put_provider(provider_id: UUID, body: ProviderIn, user: User = Depends(api_user)):
        require_role(user, *PROVIDER_ADMINS)
        provider = await handlers.change_provider(commands.ChangeProvider(provider_id, _provider_cmd(body)),
                                                  uow_factory)
        return _provider_json(provider)

    @app.post("/api/providers/{provider_id}/units", status_code=201, tags=["providers"])
    async def post_unit(provider_id: UUID, body: UnitIn, user: User = Depends(api_user)):
        require_role(user, *PROVIDER_ADMINS)
        unit = await handlers.register_unit(commands.RegisterUnit(
            provider_id, body.name, body.beds, body.address, body.facilities.model_dump(exclude_none=True)),
            uow_factory)
        return {"unit_id": str(unit.id), "provider_id": str(unit.provider_id), "name": unit.name,
                "beds": unit.beds, "address": unit.address, "facilities": unit.facilities}

    @app.patch("/api/units/{unit_id}", tags=["providers"])
    async def patch_unit(unit_id: UUID, body: UnitChangeIn, user: User = Depends(api_user)):
        require_role(user, *PROVIDER_ADMINS)
        unit = await handlers.change_unit(commands.ChangeUnit(
            unit_id, body.name, body.beds,
            body.facilities.model_dump(exclude_none=True) if body.facilities else None), uow_factory)
        return {"unit_id": str(unit.id), "name": unit.name, "beds": unit.beds, "facilities": unit.facilities}

    @app.post("/api/providers/{provider_id}/inspections", status_code=201, tags=["providers"])
    async def post_inspection(provider_id: UUID, body: InspectionIn, user: User = Depends(api_user)):
        require_role(user, *WORKERS, Role.ADMIN)
        i = await handlers.record_inspection(commands.RecordInspection(
            provider_id, body.inspected_on, body.result, body.next_due, body.checklist), uow_factory)
        return {"inspected_on": i.inspected_on, "result": i.result, "next_due": i.next_due}

    # --- API: decisions, matching, stays ---------------------------------------------------------------------

    @app.get("/api/decisions/awaiting-place", tags=["decisions"])
    async def awaiting(user: User = Depends(api_user)):
        require_role(user, *WORKERS)
        async with uow_factory() as uow:
            rows = await uow.repo.granted_decisions_awaiting_place(user.office_id, _today())
        return [{"decision_id": str(r["decision_id"]), "household_id": str(r["household_id"]),
                 "office_id": r["office_id"], "period_from": r["period_from"], "period_to": r["period_to"]}
                for r in rows]

    @app.get("/api/decisions/{decision_id}", tags=["decisions"])
    async def get_decision(decision_id: UUID, user: User = Depends(api_user)):
        """Placement's copy of a decision from intake (404 until the event has arrived)."""
        require_role(user, *WORKERS)
        async with uow_factory() as uow:
            d = await uow.repo.decision(decision_id)
        if d is None:
            raise model.PlacementError("Fant ikke vedtaket (er det mottatt fra søknadsmottaket?).", "decision_id",
                                       404)
        require_office(user, d.office_id)
        return {"decision_id": str(d.decision_id), "household_id": str(d.household_id), "office_id": d.office_id,
                "municipality": d.municipality, "outcome": d.outcome, "period_from": d.period_from,
                "period_to": d.period_to, "extends_decision_id": _j(d.extends_decision_id),
                "conditions": list(d.conditions)}

    @app.get("/api/decisions/{decision_id}/matches", tags=["decisions"], response_model=MatchesOut)
    async def matches(decision_id: UUID, check_in: date | None = None, night_shelter: bool = False,
                      user: User = Depends(api_user)):
        """The places that fit, best first, and every other place with why it was left out."""
        require_role(user, *WORKERS)
        _, fits, left_out = await handlers.find_places(
            commands.FindPlaces(decision_id, check_in or _today(), night_shelter), uow_factory, office_check(user))
        # Hundreds of places: encoded straight from plain values (as MatchesOut documents them), not field by
        # field through FastAPI's generic encoder, which cost more than the matching itself.
        return FastJSONResponse({"fits": [_match_json(m) for m in fits],
                                 "left_out": [_match_json(m) for m in left_out]})

    @app.post("/api/stays", status_code=201, tags=["stays"])
    async def post_stay(body: PlacementIn, user: User = Depends(api_user)):
        require_role(user, *WORKERS)
        placed = await handlers.place_household(
            commands.PlaceHousehold(body.decision_id, body.unit_id, body.check_in, body.justification,
                                    body.night_shelter), uow_factory, office_check(user))
        return {**_stay_json(placed.stay), "flags": [f.message for f in placed.match.flags]}

    @app.get("/api/stays", tags=["stays"])
    async def list_stays(user: User = Depends(api_user)):
        require_role(user, *WORKERS)
        async with uow_factory() as uow:
            rows = await uow.repo.stays_of_office(user.office_id)
        return [{k: _j(v) for k, v in dict(r).items()} for r in rows]

    @app.get("/api/stays/{stay_id}", tags=["stays"])
    async def get_stay(stay_id: UUID, user: User = Depends(api_user)):
        require_role(user, *WORKERS)
        async with uow_factory() as uow:
            stay = await uow.repo.stay(stay_id)
            if stay is None:
                raise model.PlacementError("Fant ikke oppholdet.", "stay_id", 404)
            require_office(user, stay.office_id)
            extensions = await uow.repo.extensions_of(stay_id)
        return {**_stay_json(stay), "extensions": [{k: _j(v) for k, v in dict(e).items()} for e in extensions]}

    @app.post("/api/stays/{stay_id}/extend", tags=["stays"])
    async def post_extend(stay_id: UUID, body: ExtendIn, user: User = Depends(api_user)):
        require_role(user, *WORKERS)
        stay = await handlers.extend_stay(commands.ExtendStay(stay_id, body.decision_id), uow_factory,
                                          office_check(user))
        return _stay_json(stay)

    @app.post("/api/stays/{stay_id}/move", status_code=201, tags=["stays"])
    async def post_move(stay_id: UUID, body: MoveIn, user: User = Depends(api_user)):
        """Move to another provider: the old stay ends (moved_to_other_provider) and a new one begins."""
        require_role(user, *WORKERS)
        placed = await handlers.move_to_other_provider(
            commands.MoveToOtherProvider(stay_id, body.unit_id, body.moved_on, body.justification), uow_factory,
            office_check(user))
        return _stay_json(placed.stay)

    @app.post("/api/stays/{stay_id}/move-out", status_code=200, tags=["stays"])
    async def post_move_out(stay_id: UUID, body: MoveOutIn, user: User = Depends(api_user)):
        require_role(user, *WORKERS)
        stay = await handlers.move_out(commands.MoveOut(stay_id, body.check_out, body.destination), uow_factory,
                                       office_check(user))
        return {"stay_id": str(stay_id), "check_out": stay.check_out.isoformat(), "destination": stay.destination}

    # --- API: live views ---------------------------------------------------------------------------------------

    async def capacity_rows(municipality: str | None):
        async with uow_factory() as uow:
            return await uow.repo.capacity(municipality)

    @app.get("/api/capacity", tags=["live views"])
    async def capacity(municipality: str | None = Query(None, pattern=MUNICIPALITY),
                       office_id: str | None = Query(None, pattern=OFFICE_ID), user: User = Depends(api_user)):
        """Units with free and occupied (households; a unit takes one). Filter by municipality or office."""
        require_role(user, *VIEWERS)
        rows = await capacity_rows(municipality_of(user, municipality, office_id) if (municipality or office_id)
                                   else None)
        return [{**{k: _j(v) for k, v in dict(r).items()}, "free": 0 if r["occupied"] else 1,
                 "free_beds": 0 if r["occupied"] else r["beds"]} for r in rows]

    @app.get("/api/views", tags=["live views"])
    async def views(user: User = Depends(api_user)):
        """Households near or past three months, families and young people now, stays outside agreements,
        inspections due."""
        require_role(user, *VIEWERS)
        return await live_views(user)

    async def live_views(user: User) -> dict:
        today = _today()
        office = user.office_id if user.role in WORKERS else None
        async with uow_factory() as uow:
            stays = await uow.repo.open_stays(office)
            due = await uow.repo.inspections_due(today, INSPECTIONS_DUE_WITHIN_DAYS)
        rows = []
        for r in stays:
            facts = facts_from_json(r["household"])
            rows.append({"stay_id": str(r["id"]), "household_id": str(r["household_id"]),
                         "office_id": r["office_id"], "provider": r["provider"], "unit": r["unit"],
                         "accommodation": r["accommodation"], "agreement_kind": r["agreement_kind"],
                         "check_in": r["check_in"], "authorised_to": r["authorised_to"], "nights": r["nights"],
                         "children": facts.children_on(today), "young": facts.young_on(today),
                         "justification": r["justification"]})
        temporary = [r for r in rows if r["accommodation"] == "temporary"]
        return {
            "settings": {"three_months_nights": model.THREE_MONTHS_NIGHTS,
                         "near_three_months_nights": model.NEAR_THREE_MONTHS_NIGHTS,
                         "young_ages": list(model.YOUNG_AGES), "inspections_due_within_days":
                             INSPECTIONS_DUE_WITHIN_DAYS},
            "three_months": sorted(
                [r | {"status": "over" if r["nights"] > model.THREE_MONTHS_NIGHTS else "near"} for r in temporary
                 if r["nights"] >= model.NEAR_THREE_MONTHS_NIGHTS], key=lambda r: -r["nights"]),
            "families_and_young": [r for r in temporary if r["children"] or r["young"]],
            "outside_agreement": [r for r in rows if r["agreement_kind"] == "none"],
            "inspections_due": [{k: _j(v) for k, v in dict(d).items()} | {
                "overdue": d["next_due"] is None or d["next_due"] < today or d["result"] == "failed"} for d in due],
        }

    # --- pages -----------------------------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def capacity_page(request: Request, municipality: str | None = Query(None, pattern=MUNICIPALITY),
                            office: str | None = Query(None, pattern=OFFICE_ID), user: User = Depends(page_user)):
        require_role(user, *VIEWERS)
        if municipality:
            chosen = municipality
        elif office:
            chosen = offices.get(office, {}).get("municipality")
        elif municipality is None and office is None:  # first visit: the user's own office
            chosen = municipality_of(user, None, None)
        else:  # "Alle kommuner" chosen
            chosen = None
        rows = await capacity_rows(chosen)
        office = office or (user.office_id if municipality is None else None)
        from_office: dict[str, int] = {}
        if office:
            async with uow_factory() as uow:
                for s in await uow.repo.open_stays(office):
                    from_office[str(s["provider_id"])] = from_office.get(str(s["provider_id"]), 0) + 1
        providers: dict[str, dict] = {}
        for r in rows:
            p = providers.setdefault(str(r["provider_id"]), {
                "id": str(r["provider_id"]), "name": r["provider"], "municipality": r["municipality"],
                "district": r["district"], "accommodation": r["accommodation"], "agreement": r["agreement_kind"],
                "beds": 0, "occupied": 0, "units": [], "from_office": from_office.get(str(r["provider_id"]), 0)})
            p["beds"] += r["beds"]
            p["occupied"] += 1 if r["occupied"] else 0
            p["units"].append(r)
        municipalities = sorted({o["municipality"] for o in offices.values()})
        return pages.TemplateResponse(request, "capacity.html", {
            "user": user, "providers": list(providers.values()), "municipality": chosen,
            "municipalities": municipalities, "office": office,
            "totals": {"units": len(rows), "occupied": sum(1 for r in rows if r["occupied"])}})

    @app.get("/views", response_class=HTMLResponse, include_in_schema=False)
    async def views_page(request: Request, user: User = Depends(page_user)):
        require_role(user, *VIEWERS)
        return pages.TemplateResponse(request, "views.html", {"user": user, "v": await live_views(user)})

    @app.get("/decisions", response_class=HTMLResponse, include_in_schema=False)
    async def decisions_page(request: Request, user: User = Depends(page_user)):
        require_role(user, *WORKERS)
        async with uow_factory() as uow:
            rows = await uow.repo.granted_decisions_awaiting_place(user.office_id, _today())
            stays = await uow.repo.stays_of_office(user.office_id)
        decisions = [dict(r) | {"facts": facts_from_json(r["household"])} for r in rows]
        return pages.TemplateResponse(request, "decisions.html", {"user": user, "decisions": decisions,
                                                                  "stays": stays, "today": _today()})

    async def _period_to(decision_id: UUID) -> date | None:
        async with uow_factory() as uow:
            d = await uow.repo.decision(decision_id)
        return d.period_to if d else None

    async def places_page(request: Request, user: User, decision_id: UUID, check_in: date,
                          night_shelter: bool, *, form: dict | None = None, error: model.PlacementError | None = None,
                          status_code: int = 200, move_stay: model.Stay | None = None):
        try:
            decision, fits, left_out = await handlers.find_places(
                commands.FindPlaces(decision_id, check_in, night_shelter), uow_factory, office_check(user))
        except model.PlacementError as exc:
            if exc.field != "check_in":
                raise
            async with uow_factory() as uow:
                period_from = (await uow.repo.decision(decision_id)).period_from
            error, status_code = error or exc, 422 if status_code == 200 else status_code
            form = {**(form or {}), "check_in": check_in.isoformat()}
            check_in = max(period_from, min(_today(), (await _period_to(decision_id)) or period_from))
            decision, fits, left_out = await handlers.find_places(
                commands.FindPlaces(decision_id, check_in, night_shelter), uow_factory, office_check(user))
        return pages.TemplateResponse(request, "places.html", {
            "user": user, "decision": decision, "fits": group_matches(fits), "left_out": group_matches(left_out),
            "check_in": check_in, "night_shelter": night_shelter, "form": form or {}, "error": error,
            "move_stay": move_stay, "today": _today()}, status_code=status_code)

    @app.get("/decisions/{decision_id}/places", response_class=HTMLResponse, include_in_schema=False)
    async def find_places_page(request: Request, decision_id: UUID, check_in: str | None = None,
                               night_shelter: bool = False, user: User = Depends(page_user)):
        require_role(user, *WORKERS)
        day = _safe_date(check_in)
        if not check_in:  # first visit: today, or the decision's first night if it lies ahead
            async with uow_factory() as uow:
                d = await uow.repo.decision(decision_id)
            if d is not None and d.period_from and d.period_to:
                day = max(d.period_from, min(day, d.period_to))
        return await places_page(request, user, decision_id, day, night_shelter)

    @app.post("/decisions/{decision_id}/place", include_in_schema=False)
    async def place_form(request: Request, decision_id: UUID, unit_id: str = Form(""), check_in: str = Form(""),
                         justification: str = Form(""), night_shelter: bool = Form(False),
                         user: User = Depends(page_user)):
        require_role(user, *WORKERS)
        form = {"unit_id": unit_id, "justification": justification}
        try:
            day = _form_date(check_in, "check_in", "Innflyttingsdato")
            if not unit_id:
                raise model.PlacementError("Velg en plass.", "unit_id")
            placed = await handlers.place_household(
                commands.PlaceHousehold(decision_id, UUID(unit_id), day, justification or None, night_shelter),
                uow_factory, office_check(user))
        except model.PlacementError as exc:
            if exc.status_code == 404 and exc.field == "decision_id":
                raise
            safe_day = _safe_date(check_in)
            return await places_page(request, user, decision_id, safe_day, night_shelter, form=form, error=exc,
                                     status_code=exc.status_code)
        return RedirectResponse(f"/placement/stays/{placed.stay.id}?placed=1", status_code=303)

    async def stay_page(request: Request, user: User, stay_id: UUID, *, error: model.PlacementError | None = None,
                        form: dict | None = None, status_code: int = 200, notice: str | None = None):
        async with uow_factory() as uow:
            stay = await uow.repo.stay(stay_id)
            if stay is None:
                raise model.PlacementError("Fant ikke oppholdet.", "stay_id", 404)
            require_office(user, stay.office_id)
            provider = await uow.repo.provider(stay.provider_id)
            unit = await uow.repo.unit(stay.unit_id)
            decision = await uow.repo.decision(stay.decision_id)
            later = [d for d in await uow.repo.decisions_of(stay.household_id)
                     if d.outcome == "granted" and d.period_to and d.period_to > stay.authorised_to]
            extensions = await uow.repo.extensions_of(stay_id)
        return pages.TemplateResponse(request, "stay.html", {
            "user": user, "stay": stay, "provider": provider, "unit": unit, "decision": decision,
            "later_decisions": later, "extensions": extensions, "error": error, "form": form or {},
            "notice": notice, "today": _today(), "nights": stay.nights_until(_today())}, status_code=status_code)

    @app.get("/stays/{stay_id}", response_class=HTMLResponse, include_in_schema=False)
    async def stay_view(request: Request, stay_id: UUID, placed: int = 0, user: User = Depends(page_user)):
        require_role(user, *WORKERS)
        return await stay_page(request, user, stay_id, notice="Husstanden er plassert." if placed else None)

    @app.post("/stays/{stay_id}/extend", include_in_schema=False)
    async def extend_form(request: Request, stay_id: UUID, decision_id: str = Form(""),
                          user: User = Depends(page_user)):
        require_role(user, *WORKERS)
        try:
            if not decision_id:
                raise model.PlacementError("Velg det nye vedtaket.", "decision_id")
            await handlers.extend_stay(commands.ExtendStay(stay_id, UUID(decision_id)), uow_factory,
                                       office_check(user))
        except model.PlacementError as exc:
            return await stay_page(request, user, stay_id, error=exc, form={"decision_id": decision_id},
                                   status_code=exc.status_code)
        return await stay_page(request, user, stay_id, notice="Oppholdet er forlenget.")

    @app.post("/stays/{stay_id}/move-out", include_in_schema=False)
    async def move_out_form(request: Request, stay_id: UUID, check_out: str = Form(""), destination: str = Form(""),
                            user: User = Depends(page_user)):
        require_role(user, *WORKERS)
        form = {"check_out": check_out, "destination": destination}
        try:
            day = _form_date(check_out, "check_out", "Utflyttingsdato")
            if destination not in DESTINATIONS_NB or destination == "moved_to_other_provider":
                raise model.PlacementError("Velg hvor husstanden flyttet.", "destination")
            await handlers.move_out(commands.MoveOut(stay_id, day, destination), uow_factory, office_check(user))
        except model.PlacementError as exc:
            return await stay_page(request, user, stay_id, error=exc, form=form, status_code=exc.status_code)
        return await stay_page(request, user, stay_id, notice="Utflytting er registrert.")

    @app.get("/stays/{stay_id}/move", response_class=HTMLResponse, include_in_schema=False)
    async def move_page(request: Request, stay_id: UUID, moved_on: str | None = None,
                        user: User = Depends(page_user)):
        require_role(user, *WORKERS)
        async with uow_factory() as uow:
            stay = await uow.repo.stay(stay_id)
        if stay is None:
            raise model.PlacementError("Fant ikke oppholdet.", "stay_id", 404)
        return await places_page(request, user, stay.decision_id, _safe_date(moved_on), False, move_stay=stay)

    @app.post("/stays/{stay_id}/move", include_in_schema=False)
    async def move_form(request: Request, stay_id: UUID, unit_id: str = Form(""), check_in: str = Form(""),
                        justification: str = Form(""), user: User = Depends(page_user)):
        require_role(user, *WORKERS)
        async with uow_factory() as uow:
            stay = await uow.repo.stay(stay_id)
        if stay is None:
            raise model.PlacementError("Fant ikke oppholdet.", "stay_id", 404)
        try:
            day = _form_date(check_in, "check_in", "Flyttedato")
            if not unit_id:
                raise model.PlacementError("Velg en plass.", "unit_id")
            placed = await handlers.move_to_other_provider(
                commands.MoveToOtherProvider(stay_id, UUID(unit_id), day, justification or None), uow_factory,
                office_check(user))
        except model.PlacementError as exc:
            if exc.field == "moved_on":
                exc.field = "check_in"
            return await places_page(request, user, stay.decision_id, _safe_date(check_in), False,
                                     form={"unit_id": unit_id, "justification": justification}, error=exc,
                                     status_code=exc.status_code, move_stay=stay)
        return RedirectResponse(f"/placement/stays/{placed.stay.id}?placed=1", status_code=303)

    @app.get("/providers/new", response_class=HTMLResponse, include_in_schema=False)
    async def new_provider_page(request: Request, user: User = Depends(page_user)):
        require_role(user, *PROVIDER_ADMINS)
        return pages.TemplateResponse(request, "provider_form.html", {"user": user, "form": {}, "error": None})

    @app.post("/providers/new", include_in_schema=False)
    async def new_provider_form(request: Request, user: User = Depends(page_user)):
        require_role(user, *PROVIDER_ADMINS)
        form = await request.form()
        data = {k: str(v).strip() for k, v in form.items() if k != "target_groups"}
        groups = [str(g) for g in form.getlist("target_groups")]
        try:
            cmd = commands.RegisterProvider(
                data.get("name", ""), data.get("orgnr", ""), data.get("kind", ""), data.get("municipality", ""),
                data.get("district") or None, data.get("address", ""), data.get("accommodation", "temporary"),
                data.get("agreement_kind", "none"),
                _form_decimal(data.get("price_per_night"), "agreement.price_per_night"),
                _form_int(data.get("fixed_places"), "agreement.fixed_places") or 0,
                _form_optional_date(data.get("valid_from"), "agreement.valid_from"),
                _form_optional_date(data.get("valid_to"), "agreement.valid_to"), tuple(groups),
                data.get("sex") or None, _form_int(data.get("min_age"), "limits.min_age"),
                _form_int(data.get("max_age"), "limits.max_age"), data.get("substance_free") == "true")
            provider = await handlers.register_provider(cmd, uow_factory)
        except model.PlacementError as exc:
            return pages.TemplateResponse(request, "provider_form.html", {
                "user": user, "form": data | {"target_groups": groups}, "error": exc},
                status_code=exc.status_code)
        return RedirectResponse(f"/placement/providers/{provider.id}?registered=1", status_code=303)

    async def provider_page(request: Request, user: User, provider_id: UUID, *, error=None, form=None,
                            notice=None, status_code=200):
        async with uow_factory() as uow:
            provider = await uow.repo.provider(provider_id)
            if provider is None:
                raise model.PlacementError("Fant ikke tilbyderen.", "provider_id", 404)
            rows = [r for r in await uow.repo.capacity(provider.municipality) if r["provider_id"] == provider_id]
        return pages.TemplateResponse(request, "provider.html", {
            "user": user, "p": provider, "units": rows, "error": error, "form": form or {}, "notice": notice,
            "today": _today(), "may_edit": user.role in PROVIDER_ADMINS}, status_code=status_code)

    @app.get("/providers/{provider_id}", response_class=HTMLResponse, include_in_schema=False)
    async def provider_view(request: Request, provider_id: UUID, registered: int = 0,
                            user: User = Depends(page_user)):
        require_role(user, *VIEWERS)
        return await provider_page(request, user, provider_id,
                                   notice="Tilbyderen er registrert." if registered else None)

    @app.post("/providers/{provider_id}/units", include_in_schema=False)
    async def add_unit_form(request: Request, provider_id: UUID, user: User = Depends(page_user)):
        require_role(user, *PROVIDER_ADMINS)
        form = {k: str(v).strip() for k, v in (await request.form()).items()}
        try:
            beds = _form_int(form.get("beds"), "beds")
            await handlers.register_unit(commands.RegisterUnit(
                provider_id, form.get("unit_name", ""), beds if beds is not None else 0, form.get("address") or None,
                {"own_bath": form.get("own_bath") == "true", "kitchen": form.get("kitchen", "none"),
                 "laundry": form.get("laundry") == "true", "visits_allowed": form.get("visits_allowed") == "true"}),
                uow_factory)
        except model.PlacementError as exc:
            if exc.field == "name":
                exc.field = "unit_name"
            return await provider_page(request, user, provider_id, error=exc, form=form,
                                       status_code=exc.status_code)
        return await provider_page(request, user, provider_id, notice="Enheten er registrert.")

    @app.post("/units/{unit_id}/beds", include_in_schema=False)
    async def change_beds_form(request: Request, unit_id: UUID, beds: str = Form(""),
                               user: User = Depends(page_user)):
        require_role(user, *PROVIDER_ADMINS)
        async with uow_factory() as uow:
            unit = await uow.repo.unit(unit_id)
        if unit is None:
            raise model.PlacementError("Fant ikke enheten.", "unit_id", 404)
        try:
            n = _form_int(beds, "beds")
            await handlers.change_unit(commands.ChangeUnit(unit_id, beds=n if n is not None else 0), uow_factory)
        except model.PlacementError as exc:
            exc.field = f"beds-{unit_id}"
            return await provider_page(request, user, unit.provider_id, error=exc, form={f"beds-{unit_id}": beds},
                                       status_code=exc.status_code)
        return await provider_page(request, user, unit.provider_id, notice="Antall senger er endret.")

    @app.post("/providers/{provider_id}/inspections", include_in_schema=False)
    async def inspection_form(request: Request, provider_id: UUID, user: User = Depends(page_user)):
        require_role(user, *WORKERS, Role.ADMIN)
        form = {k: str(v).strip() for k, v in (await request.form()).items()}
        try:
            await handlers.record_inspection(commands.RecordInspection(
                provider_id, _form_date(form.get("inspected_on", ""), "inspected_on", "Tilsynsdato"),
                form.get("result", ""), _form_date(form.get("next_due", ""), "next_due", "Neste tilsyn"),
                {k: form.get(k) == "true" for k in ("standard", "fire_safety", "surveillance", "visits")}),
                uow_factory)
        except model.PlacementError as exc:
            return await provider_page(request, user, provider_id, error=exc, form=form,
                                       status_code=exc.status_code)
        return await provider_page(request, user, provider_id, notice="Tilsynet er registrert.")

    @app.get("/providers", response_class=HTMLResponse, include_in_schema=False)
    async def providers_page(request: Request, user: User = Depends(page_user)):
        require_role(user, *VIEWERS)
        async with uow_factory() as uow:
            providers = await uow.repo.providers()
        return pages.TemplateResponse(request, "providers.html", {"user": user, "providers": providers,
                                                                  "today": _today()})

    return app


def _form_date(value: str, field: str, label: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise model.PlacementError(f"{label} må være en gyldig dato (ÅÅÅÅ-MM-DD).", field) from None


def _form_int(value: str | None, field: str) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise model.PlacementError("Må være et heltall.", field) from None


def _form_decimal(value: str | None, field: str) -> Decimal | None:
    if not value:
        return None
    try:
        return Decimal(value.replace(",", ".").replace(" ", ""))
    except ArithmeticError:
        raise model.PlacementError("Må være et tall (kroner).", field) from None


def _form_optional_date(value: str | None, field: str) -> date | None:
    return _form_date(value, field, "Datoen") if value else None


def _safe_date(value: str | None) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return _today()


def _provider_json(p: model.Provider) -> dict:
    a, lim = p.agreement, p.limits
    return {
        "provider_id": str(p.id), "slug": p.slug, "name": p.name, "orgnr": p.orgnr, "kind": p.kind,
        "municipality": p.municipality, "district": p.district, "address": p.address,
        "accommodation": p.accommodation,
        "agreement": {"kind": a.kind, "price_per_night": _j(a.price_per_night), "fixed_places": a.fixed_places,
                      "valid_from": a.valid_from, "valid_to": a.valid_to, "target_groups": list(a.target_groups)},
        "limits": {"sex": lim.sex, "min_age": lim.min_age, "max_age": lim.max_age,
                   "substance_free": lim.substance_free},
        "inspection": None if p.inspection is None else {
            "inspected_on": p.inspection.inspected_on, "result": p.inspection.result,
            "next_due": p.inspection.next_due},
    }

