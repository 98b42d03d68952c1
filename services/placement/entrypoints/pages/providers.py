"""Providers' pages: the list and one provider for everyone; registering providers and units, changing beds and
importing a providers file (upload, dry run, result) for office leaders and admins; inspections for case
workers, office leaders and admins."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from kit.auth import User
from kit.paging import PAGE_NAMES, Paging
from kit.uploads import UploadRefused, form_upload
from services.placement.adapters import csv_files
from services.placement.adapters.queries import PROVIDER_SORTING, PlacementQueries, ProviderFilters
from services.placement.domain import commands, provider_import
from services.placement.domain.errors import (
    PROVIDER_NOT_FOUND,
    UNIT_NOT_FOUND,
    NotFound,
    PlacementError,
    RuleBroken,
)
from services.placement.domain.history import HeaderError
from services.placement.domain.providers import TARGET_GROUPS
from services.placement.entrypoints.api.imports import PROVIDERS_MAX_BYTES, PROVIDERS_TOO_LARGE_NB, providers_answer
from services.placement.entrypoints.deps import PROVIDER_ADMINS, Bus, Inspector, ProviderAdmin, Queries, Today, Viewer
from services.placement.entrypoints.lists import ProviderFiltersPage, ProviderPagingPage
from services.placement.entrypoints.pages.common import (
    ShortField,
    form_date,
    form_decimal,
    form_fields,
    form_int,
    optional_date,
    render,
    status_of,
)
from services.placement.entrypoints.schemas import Notice

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
CHECKLIST = ("standard", "fire_safety", "surveillance", "visits")


ACTIONS_NB = {"register_provider": "Ny tilbyder", "change_provider": "Endret tilbyder", "register_unit": "Ny enhet",
              "change_unit": "Endret enhet"}


async def providers_list(request: Request, user: User, queries: PlacementQueries, today: date, *,
                         paging: Paging | None = None, filters: ProviderFilters = ProviderFilters(),
                         error: PlacementError | None = None, status_code: int = 200) -> HTMLResponse:
    """One page of the providers, with the filters' form and the pager."""
    paging = paging or Paging(sort=PROVIDER_SORTING.default, names=PAGE_NAMES)
    result = await queries.provider_page(paging, filters, today)
    return render(request, "providers.html", {
        "user": user, "providers": result.items, "result": result, "paging": paging,
        "filters": dict(request.query_params) if request.method == "GET" else {},
        "municipalities": await queries.municipalities_of_providers(), "target_groups": TARGET_GROUPS,
        "today": today, "error": error, "limit_mb": PROVIDERS_MAX_BYTES // 2**20}, status_code=status_code)


@router.get("/providers")
async def providers_page(request: Request, user: Viewer, queries: Queries, today: Today, paging: ProviderPagingPage,
                         filters: ProviderFiltersPage):
    return await providers_list(request, user, queries, today, paging=paging, filters=filters)


@router.post("/providers/import")
async def import_providers_form(request: Request, user: ProviderAdmin, queries: Queries, bus: Bus, today: Today):
    """A providers file (../shared/formats/providers-import.md) through the same import as the API: with «bare
    kontroller» a dry run listing every problem and change; else the import, or its refusal with every problem."""
    try:
        try:
            upload = await form_upload(request, PROVIDERS_MAX_BYTES, missing_nb="Velg en CSV-fil med tilbydere.",
                                       too_large_nb=PROVIDERS_TOO_LARGE_NB)
            rows = csv_files.read(upload.data, check_header=provider_import.check_header)
        except (UploadRefused, HeaderError) as exc:
            raise RuleBroken(str(exc), "file") from None
        partial, dry_run = upload.form.get("partial") == "true", upload.form.get("dry_run") == "true"
    except RuleBroken as exc:
        return await providers_list(request, user, queries, today, error=exc,
                                    status_code=413 if str(exc) == PROVIDERS_TOO_LARGE_NB else 422)
    result = await bus.handle(commands.ImportProviders(tuple(rows), partial, dry_run))
    body = providers_answer(result, partial=partial)
    return render(request, "provider_import.html", {
        "user": user, "r": body, "file": upload.filename[:100], "actions": ACTIONS_NB},
        status_code=422 if body.rejected_count and not partial else 200)


@router.get("/providers/new")
async def new_provider_page(request: Request, user: ProviderAdmin):
    return render(request, "provider_form.html", {"user": user, "form": {}, "error": None})


@router.post("/providers/new")
async def new_provider_form(request: Request, user: ProviderAdmin, bus: Bus):
    form = await request.form()
    data = {k: str(v).strip() for k, v in form.items() if k != "target_groups"}
    groups = [str(g) for g in form.getlist("target_groups")]
    try:
        provider = await bus.handle(commands.RegisterProvider(
            data.get("name", ""), data.get("orgnr", ""), data.get("kind", ""), data.get("municipality", ""),
            data.get("district") or None, data.get("address", ""), data.get("accommodation", "temporary"),
            data.get("agreement_kind", "none"),
            form_decimal(data.get("price_per_night"), "agreement.price_per_night"),
            form_int(data.get("fixed_places"), "agreement.fixed_places") or 0,
            optional_date(data.get("valid_from"), "agreement.valid_from"),
            optional_date(data.get("valid_to"), "agreement.valid_to"), tuple(groups),
            data.get("sex") or None, form_int(data.get("min_age"), "limits.min_age"),
            form_int(data.get("max_age"), "limits.max_age"), data.get("substance_free") == "true",
            data.get("email") or None))
    except PlacementError as exc:
        return render(request, "provider_form.html", {"user": user, "form": data | {"target_groups": groups},
                                                      "error": exc}, status_code=status_of(exc))
    return RedirectResponse(f"/placement/providers/{provider.id}?registered=1", status_code=303)


async def provider_page(request: Request, user: User, queries: PlacementQueries, today: date, provider_id: UUID,
                        *, error: PlacementError | None = None, form: dict | None = None, notice: str | None = None,
                        status_code: int = 200) -> HTMLResponse:
    provider = await queries.provider(provider_id)
    if provider is None:
        raise NotFound(PROVIDER_NOT_FOUND, "provider_id")
    units = [r for r in await queries.capacity(provider.municipality) if r.provider_id == provider_id]
    return render(request, "provider.html", {
        "user": user, "p": provider, "units": units, "error": error, "form": form or {}, "notice": notice,
        "today": today, "may_edit": user.role in PROVIDER_ADMINS}, status_code=status_code)


@router.get("/providers/{provider_id}")
async def provider_view(request: Request, provider_id: UUID, user: Viewer, queries: Queries, today: Today,
                        registered: Notice = 0):
    return await provider_page(request, user, queries, today, provider_id,
                               notice="Tilbyderen er registrert." if registered else None)


@router.post("/providers/{provider_id}/units")
async def add_unit_form(request: Request, provider_id: UUID, user: ProviderAdmin, queries: Queries, bus: Bus,
                        today: Today):
    form = await form_fields(request)
    try:
        beds = form_int(form.get("beds"), "beds")
        await bus.handle(commands.RegisterUnit(
            provider_id, form.get("unit_name", ""), beds if beds is not None else 0, form.get("address") or None,
            {"own_bath": form.get("own_bath") == "true", "kitchen": form.get("kitchen", "none"),
             "laundry": form.get("laundry") == "true", "visits_allowed": form.get("visits_allowed") == "true"}))
    except PlacementError as exc:
        if exc.field == "name":  # the form's field for the unit's name
            exc.field = "unit_name"
        return await provider_page(request, user, queries, today, provider_id, error=exc, form=form,
                                   status_code=status_of(exc))
    return await provider_page(request, user, queries, today, provider_id, notice="Enheten er registrert.")


@router.post("/units/{unit_id}/beds")
async def change_beds_form(request: Request, unit_id: UUID, user: ProviderAdmin, queries: Queries, bus: Bus,
                           today: Today, beds: ShortField = ""):
    unit = await queries.unit(unit_id)
    if unit is None:
        raise NotFound(UNIT_NOT_FOUND, "unit_id")
    try:
        n = form_int(beds, "beds")
        await bus.handle(commands.ChangeUnit(unit_id, beds=n if n is not None else 0))
    except PlacementError as exc:
        exc.field = f"beds-{unit_id}"  # the field of this unit's row
        return await provider_page(request, user, queries, today, unit.provider_id, error=exc,
                                   form={f"beds-{unit_id}": beds}, status_code=status_of(exc))
    return await provider_page(request, user, queries, today, unit.provider_id, notice="Antall senger er endret.")


@router.post("/providers/{provider_id}/inspections")
async def inspection_form(request: Request, provider_id: UUID, user: Inspector, queries: Queries, bus: Bus,
                          today: Today):
    form = await form_fields(request)
    try:
        await bus.handle(commands.RecordInspection(
            provider_id, form_date(form.get("inspected_on", ""), "inspected_on", "Tilsynsdato"),
            form.get("result", ""), form_date(form.get("next_due", ""), "next_due", "Neste tilsyn"),
            {k: form.get(k) == "true" for k in CHECKLIST}))
    except PlacementError as exc:
        return await provider_page(request, user, queries, today, provider_id, error=exc, form=form,
                                   status_code=status_of(exc))
    return await provider_page(request, user, queries, today, provider_id, notice="Tilsynet er registrert.")
