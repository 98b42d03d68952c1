"""Errors answered in one place: RFC 9457 problem details (`application/problem+json`) for API routes and
Norwegian pages for page routes.

A service maps its own domain errors (pure classes in its `domain`, which cannot know HTTP) to status codes
with `install_error_handlers(app, {NotFound: 404, ...})`. An error may name the field at fault (`field`); it
appears in the problem's `errors` list with FastAPI's `loc` shape. Validation errors never echo the input
(it may be large or hold personal data) and unexpected errors say nothing of their cause: the log has it.

Why our own code rather than a problem-details library: the domain errors must stay free of any framework,
and one handler must choose between a machine-readable answer and a page; that is a few dozen lines."""

from __future__ import annotations

import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from pydantic_core.core_schema import ErrorType
from starlette.exceptions import HTTPException as StarletteHTTPException

from kit.auth import is_api_request
from kit.logging import get_logger
from kit.templating import error_page

log = get_logger(__name__)

PROBLEM_JSON = "application/problem+json"
TITLES_NB = {
    400: "Ugyldig forespørsel", 401: "Ikke innlogget", 403: "Ingen tilgang", 404: "Fant ikke det du så etter",
    405: "Ikke tillatt", 409: "Konflikt", 413: "For stor forespørsel", 415: "Ukjent innholdstype",
    422: "Opplysningene kan ikke brukes", 429: "For mange forsøk", 500: "Noe gikk galt",
    503: "Tjenesten er ikke tilgjengelig",
}
GENERIC_DETAIL_NB = {
    404: "Siden eller oppføringen finnes ikke, eller du har ikke tilgang til den.",
    500: "En feil hos oss stoppet forespørselen. Prøv igjen; skjer det igjen, si fra til drift.",
}

ADDRESS_REFUSED_NB = "Adressen til siden inneholder en verdi som ikke kan brukes."
FORM_REFUSED_NB = "Skjemaet inneholder noe som ikke kan brukes."


class FieldProblem(BaseModel):
    loc: list[str | int] = Field(description="Where: `body`, `query` or `path`, then the field.")
    msg: str
    type: str = "invalid"


class Problem(BaseModel):
    """RFC 9457 problem details, with the fields at fault in `errors`."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldProblem] = Field(default_factory=list)


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_JSON


@dataclass(frozen=True)
class ErrorAnswer:
    status: int
    detail: str
    errors: list[FieldProblem]
    headers: Mapping[str, str] | None = None


def answer(request: Request, status: int, detail: str, errors: Iterable[FieldProblem] = (),
           headers: Mapping[str, str] | None = None) -> Response:
    """A problem for an API route, a Norwegian page for a page route."""
    errors = list(errors)
    if not is_api_request(request):
        # A page says each thing once: a field's message that is the detail itself is not listed again.
        details = [e.msg for e in errors if e.msg != detail]
        return error_page(request, status, TITLES_NB.get(status, "Feil"), detail, details, headers=headers)
    body = Problem(title=TITLES_NB.get(status, "Feil"), status=status, detail=detail,
                   instance=request.url.path, errors=errors)
    return ProblemResponse(body.model_dump(mode="json"), status_code=status, headers=dict(headers or {}))


def where_in(request: Request, field: str | None) -> str:
    """Where a field a domain rule names came from: the query, the path, or (else) the body."""
    if field is not None and field in request.query_params:
        return "query"
    if field is not None and field in request.path_params:
        return "path"
    return "body"


def field_errors_of(exc: Exception, where: str = "body") -> list[FieldProblem]:
    field = getattr(exc, "field", None)
    return [FieldProblem(loc=[where, field], msg=str(exc), type="domain_rule")] if field else []


VALIDATION_NB = {
    "missing": "Må fylles ut.",
    "uuid_parsing": "Må være en gyldig id (UUID).", "uuid_type": "Må være en gyldig id (UUID).",
    "int_parsing": "Må være et helt tall.", "int_type": "Må være et helt tall.",
    "int_from_float": "Må være et helt tall.",
    "float_parsing": "Må være et tall.", "float_type": "Må være et tall.",
    "decimal_parsing": "Må være et tall.", "decimal_type": "Må være et tall.",
    "bool_parsing": "Må være ja eller nei (true/false).", "bool_type": "Må være ja eller nei (true/false).",
    "date_parsing": "Må være en dato (åååå-mm-dd).", "date_from_datetime_parsing": "Må være en dato (åååå-mm-dd).",
    "date_type": "Må være en dato (åååå-mm-dd).", "datetime_parsing": "Må være et tidspunkt (ISO 8601).",
    "datetime_from_date_parsing": "Må være et tidspunkt (ISO 8601).",
    "string_type": "Må være tekst.", "string_too_short": "Må ha minst {min_length} tegn.",
    "string_too_long": "Kan ha høyst {max_length} tegn.", "string_pattern_mismatch": "Har ikke riktig form.",
    "too_short": "Må ha minst {min_length}.", "too_long": "Kan ha høyst {max_length}.",
    "greater_than": "Må være større enn {gt}.", "greater_than_equal": "Må være minst {ge}.",
    "less_than": "Må være mindre enn {lt}.", "less_than_equal": "Kan være høyst {le}.",
    "literal_error": "Må være en av: {expected}.", "enum": "Må være en av: {expected}.",
    "list_type": "Må være en liste.", "dict_type": "Må være et objekt.", "model_type": "Må være et objekt.",
    "model_attributes_type": "Må være et objekt.",
    "json_invalid": "Er ikke gyldig JSON.", "json_type": "Er ikke gyldig JSON.",
    "extra_forbidden": "Feltet er ukjent.", "url_parsing": "Må være en gyldig adresse (URL).",
}
"""Pydantic's error types in Norwegian, filled from the error's context (a limit, the values allowed)."""
PYDANTIC_ERROR_TYPES = frozenset(typing.get_args(ErrorType))


def validation_message_nb(error: Mapping[str, Any]) -> str:
    """A validation error's message in Norwegian. A validator of our own raises its message in Norwegian
    already (pydantic puts "Value error, " before it); a type not in the table gets a general message."""
    kind = str(error.get("type", ""))
    msg = str(error.get("msg", ""))[:300]
    if kind in ("value_error", "assertion_error"):
        return msg.split(", ", 1)[-1] or "Ugyldig verdi."
    template = VALIDATION_NB.get(kind)
    if template is None:
        # A custom error type (PydanticCustomError) is ours, with a Norwegian message; pydantic's own are not.
        return "Ugyldig verdi." if kind in PYDANTIC_ERROR_TYPES or not msg else msg
    context = {k: str(v).replace("' or '", "' eller '") for k, v in (error.get("ctx") or {}).items()}
    try:
        return template.format(**context)
    except (KeyError, IndexError):
        return template.split(" {", 1)[0].rstrip(":") + "."


def validation_errors(exc: RequestValidationError) -> list[FieldProblem]:
    """FastAPI's validation errors without their input (never echoed) and with a short Norwegian message each."""
    out = []
    for e in exc.errors():
        msg = validation_message_nb(e)
        out.append(FieldProblem(loc=[str(p) if not isinstance(p, int) else p for p in e.get("loc", ())],
                                msg=msg, type=str(e.get("type", "invalid"))))
    return out


def install_error_handlers(app: FastAPI, domain_errors: Mapping[type[Exception], int]) -> None:
    """The one place a service's errors become HTTP answers."""
    for exc_type, status in domain_errors.items():
        def handle(request: Request, exc: Exception, status: int = status) -> Response:
            return answer(request, getattr(exc, "status_code", None) or status, str(exc),
                          field_errors_of(exc, where_in(request, getattr(exc, "field", None))))
        app.add_exception_handler(exc_type, handle)
    install_http_error_handlers(app)


def install_http_error_handlers(app: FastAPI) -> None:
    """Framework errors (bad input, 404, 403 from auth) and unexpected ones, as problems or pages."""

    async def on_validation(request: Request, exc: RequestValidationError) -> Response:
        errors = validation_errors(exc)
        first = errors[0] if errors else None
        where = ".".join(str(p) for p in first.loc[1:]) if first else ""
        if not is_api_request(request):
            # A page names no internal field: its address (path or query) or its form was wrong.
            part = first.loc[0] if first and first.loc else "body"
            detail = ADDRESS_REFUSED_NB if part in ("path", "query") else FORM_REFUSED_NB
            return answer(request, 422, detail, [FieldProblem(loc=e.loc, msg=e.msg) for e in errors[:1]])
        detail = f"{where}: {first.msg}" if first and where else (first.msg if first else "Ugyldig forespørsel.")
        return answer(request, 422, detail, errors)

    async def on_http(request: Request, exc: StarletteHTTPException) -> Response:
        detail: Any = exc.detail
        if not isinstance(detail, str) or detail in ("Not Found", "Method Not Allowed"):
            detail = GENERIC_DETAIL_NB.get(exc.status_code, TITLES_NB.get(exc.status_code, "Feil"))
        return answer(request, exc.status_code, detail, headers=getattr(exc, "headers", None))

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        # The traceback goes to the log (the request body never does); the user gets no internals.
        log.error("request_failed", path=request.scope.get("path"), method=request.method, exc_info=exc)
        return answer(request, 500, GENERIC_DETAIL_NB[500])

    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)
    document_problems(app)


def document_problems(app: FastAPI) -> None:
    """Say so in the OpenAPI document: every error answer of every operation is a problem (RFC 9457)."""
    if getattr(app, "_problems_documented", False):
        return
    app._problems_documented = True
    generate = app.openapi

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(problem.pop("$defs", {}))
        components["Problem"] = problem
        content = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                responses = operation.setdefault("responses", {})
                for code, response in responses.items():
                    if code[:1] in ("4", "5"):
                        response["content"] = content
                responses.setdefault("4XX", {"description": "Problem details (RFC 9457)", "content": content})
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi
