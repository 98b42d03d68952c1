"""Page: payment exports — choose a period, see what is due in it, make the export, download it again — and the
spend per provider and agreement kind. A wrong period is shown next to its field, with what was typed kept."""

from __future__ import annotations

import re
from datetime import date
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from kit import clock
from kit.auth import User
from kit.formatting import read_date_nb
from services.billing.adapters.queries import BillingQueries
from services.billing.domain.commands import CreatePaymentExport
from services.billing.domain.errors import BillingError, RuleBroken
from services.billing.domain.payments import check_period, total_of
from services.billing.entrypoints.deps import Bus, Finance, Queries
from services.billing.entrypoints.errors import status_of
from services.billing.entrypoints.pages.common import pages
from services.billing.entrypoints.pages.invoices import form_fields

router = APIRouter(include_in_schema=False)
SHOWN = re.compile(r"[^\x00-\x1f\x7f-\x9f]{0,20}")  # what a page shows back of a date typed
FIELDS = {"period_from": "fra", "period_to": "til"}


def read_date(text: str, field: str) -> date:
    """A date as people type it (05.03.2026, 5.3.2026) or as the browser's date field sends it (2026-03-05)."""
    try:
        return read_date_nb(text)
    except ValueError:
        raise RuleBroken("Skriv en dato som dd.mm.åååå, for eksempel 01.03.2026." if text.strip() else
                         "Velg en dato.", field=field) from None


def shown(text: str | None) -> str:
    """What was typed, as the form shows it back: without control characters, at most 20 characters."""
    return "".join(SHOWN.findall((text or "").strip()))[:20]


def read_period(typed: dict[str, str]) -> tuple[date, date]:
    period = read_date(typed["fra"], "period_from"), read_date(typed["til"], "period_to")
    check_period(*period, clock.today())
    return period


async def export_page_response(request: Request, user: User, queries: BillingQueries, typed: dict[str, str],
                               errors: dict[str, str] | None = None, made: UUID | None = None,
                               status_code: int | None = None):
    errors = dict(errors or {})
    due = None
    if not errors:
        try:
            period = read_period(typed)
        except RuleBroken as exc:
            errors[FIELDS.get(exc.field, "fra")] = str(exc)
        else:
            lines = await queries.due_lines(*period)
            due = {"from": period[0], "to": period[1], "lines": len(lines), "total": total_of(lines)}
    spend = await queries.spend()
    return pages.TemplateResponse(request, "export.html", {
        "user": user, "spend": spend, "outside": spend.outside_agreements, "exports": await queries.exports(),
        "typed": typed, "errors": errors, "due": due, "made": made},
        status_code=status_code or (422 if errors else 200))


def default_period(exports) -> dict[str, str]:
    """From the day the latest export ended (what it took is not taken again), else the first of the month,
    to today."""
    today = clock.today()
    start = exports[0].period_to if exports else today.replace(day=1)
    return {"fra": f"{start:%d.%m.%Y}", "til": f"{today:%d.%m.%Y}"}


@router.get("/export", response_class=HTMLResponse)
async def export_page(request: Request, user: Finance, queries: Queries, fra: str | None = None,
                      til: str | None = None, laget: UUID | None = None):
    typed = default_period(await queries.exports(limit=1)) if fra is None and til is None else \
        {"fra": shown(fra), "til": shown(til)}
    return await export_page_response(request, user, queries, typed, made=laget)


@router.post("/export", response_class=HTMLResponse)
async def export_form(request: Request, user: Finance, bus: Bus, queries: Queries):
    typed = {"fra": "", "til": ""}
    try:
        fields = await form_fields(request, "fra", "til")
        typed = {k: shown(v) for k, v in fields.items()}
        period = read_period(typed)
        export = await bus.handle(CreatePaymentExport(*period, user.username, user.name or None))
    except BillingError as exc:
        where = FIELDS.get(exc.field, "fra")
        return await export_page_response(request, user, queries, typed, {where: str(exc)},
                                          status_code=status_of(exc))
    return RedirectResponse(f"/billing/export?laget={export.id}#eksport-{export.id}", status_code=303)
