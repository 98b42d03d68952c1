"""The page behind the header's search box (every service's header posts here): the office's households found
by name, identity number or reference, each linked to its household page by id. What was searched for travels
only in the POST body and is shown again only in the box."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from services.intake.domain import search
from services.intake.domain.commands import SearchHouseholds
from services.intake.domain.errors import RuleBroken
from services.intake.entrypoints.deps import Bus, Worker, actor_of
from services.intake.entrypoints.pages.common import form_errors, render
from services.intake.entrypoints.schemas import SearchIn

router = APIRouter(include_in_schema=False)


@router.post("/search", response_class=HTMLResponse)
async def search_page(request: Request, user: Worker, bus: Bus):
    form = await request.form()
    raw = form.get("q")
    typed = raw if isinstance(raw, str) else ""
    shown_again = typed[:search.QUERY_MAX] if typed.isprintable() else ""
    try:
        body = SearchIn(q=typed.strip())
        found = await bus.handle(SearchHouseholds(actor_of(user), body.q, search.SEARCH_PURPOSE))
    except ValidationError as exc:
        message = _message(exc)
    except RuleBroken as exc:
        message = str(exc)
    else:
        return render(request, "search.html", user=user, found=found, search_query=shown_again)
    return render(request, "search.html", status_code=422, user=user, found=None, error=message,
                  search_query=shown_again)


def _message(exc: ValidationError) -> str:
    kind = exc.errors()[0]["type"]
    if kind in ("string_too_short", "missing"):
        return search.EMPTY_NB
    if kind == "string_too_long":
        return search.TOO_LONG_NB
    return next(iter(form_errors(exc).values()), search.CONTROL_NB)
