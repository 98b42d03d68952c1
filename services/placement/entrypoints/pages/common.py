"""What the page routes share: rendering with the service's templates, reading form fields into values (a bad
one is a domain error naming the field, shown next to it), and the status a refused form is shown with."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated
from uuid import UUID

from fastapi import Form, Request
from fastapi.responses import HTMLResponse

from kit.auth import request_token
from kit.formatting import read_date_nb
from kit.people import People
from services.placement.domain.errors import Conflict, Forbidden, NotFound, PlacementError, RuleBroken

DESTINATIONS_NB = {
    "municipal_rental": "Kommunal utleiebolig", "private_rental": "Privat leid bolig", "own_home": "Eid bolig",
    "institution": "Institusjon", "other_municipality": "Annen kommune", "other": "Annet", "unknown": "Ukjent",
    "moved_to_other_provider": "Flyttet til annen tilbyder",
}
AGREEMENTS_NB = {"framework": "Rammeavtale", "quality": "Kvalitetsavtale", "operating": "Driftsavtale",
                 "municipal": "Kommunalt", "none": "Uten avtale"}
ACCOMMODATION_NB = {"temporary": "Midlertidig botilbud", "night_shelter": "Natthjem"}
STATUS = {NotFound: 404, Forbidden: 403, Conflict: 409, RuleBroken: 422}
FORM_FIELD_MAX = 20_000  # a form value far longer than any field takes is refused before it is read
ShortField = Annotated[str, Form(max_length=100)]
"""A form field holding an id, a date or a number."""
LongField = Annotated[str, Form(max_length=FORM_FIELD_MAX)]
"""A form field holding text (the domain checks its own, shorter bound and says so next to the field)."""


def status_of(exc: PlacementError) -> int:
    return next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 422)


def render(request: Request, template: str, context: dict, status_code: int = 200) -> HTMLResponse:
    return request.app.state.pages.TemplateResponse(request, template, context, status_code=status_code)


async def people_of(request: Request, household_ids: Iterable[UUID], purpose: str) -> People:
    """Who these households are, asked of intake for this page on behalf of the logged-in user (audited there
    with `purpose`); nothing is kept."""
    return await request.app.state.people.of(household_ids, token=request_token(request), purpose=purpose)


def form_date(value: str, field: str, label: str) -> date:
    try:
        return read_date_nb(value)
    except ValueError:
        raise RuleBroken(f"{label} må være en gyldig dato (dd.mm.åååå).", field) from None


def optional_date(value: str | None, field: str) -> date | None:
    return form_date(value, field, "Datoen") if value else None


def form_int(value: str | None, field: str) -> int | None:
    if not value:
        return None
    if not (value.isascii() and value.lstrip("-").isdigit()) or len(value) > 12:
        raise RuleBroken("Må være et heltall.", field)
    return int(value)


def form_decimal(value: str | None, field: str) -> Decimal | None:
    if not value:
        return None
    try:
        return Decimal(value.replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        raise RuleBroken("Må være et tall (kroner).", field) from None


def safe_date(value: str | None, today: date) -> date:
    """A date from a query string, or today when there is none (or it is no date)."""
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return today


async def form_fields(request: Request) -> dict[str, str]:
    """The form's fields, trimmed (the multi-valued ones with `request.form()` itself)."""
    return {k: str(v).strip() for k, v in (await request.form()).items()}
