"""What intake's pages share: the templates with their Norwegian labels and filters, and the form helpers
(form values into the API's request models, their complaints into Norwegian messages next to each field)."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from kit import clock
from kit.formatting import read_date_nb
from kit.templating import templates
from pure.ages import age_on
from services.intake.domain.decisions import WARNING_TEXTS_NB
from services.intake.domain.errors import IntakeError

NEED_FLAGS = [
    ("substance_use", "Aktiv rusbruk"), ("low_boevne", "Lav boevne"), ("mental_health", "Psykisk helse"),
    ("violence_risk", "Risiko for vold"), ("needs_kitchen", "Trenger kjøkken"),
    ("reduced_mobility", "Nedsatt bevegelighet (trinnfri tilgang)"), ("couple", "Bor med partner"),
    ("wants_substance_free", "Ønsker rusfritt miljø"),
]
CHANNELS_NB = {"in_person": "Oppmøte", "phone": "Telefon", "provider": "Fra tilbyder", "digital": "Digitalt"}
CONDITIONS_NB = {"boligskole": "Boligskole", "boliglogg": "Boliglogg", "other_activity": "Annen aktivitet"}
STATUS_NB = {"received": "Mottatt", "awaiting_approval": "Venter på godkjenning", "decided": "Avgjort"}
DECISION_STATUS_NB = {"awaiting_approval": "Venter på godkjenning", "in_effect": "Gjelder",
                      "returned": "Sendt tilbake"}
OUTCOME_NB = {"granted": "Innvilget", "refused": "Avslag"}
ACTION_NB = {"search": "Søk på fødselsnummer", "find": "Søk etter husstand", "view_case": "Åpnet sak",
             "view_household": "Åpnet husstand",
             "view_people": "Så navn og fødselsdato", "view_letter": "Hentet vedtaksbrev",
             "transfer": "Overførte husstand"}
SEX_NB = {"": "Ikke oppgitt", "female": "Kvinne", "male": "Mann", "non_binary": "Ikke-binær"}
FORM_ERRORS_NB = {"control_character", "line_break", "surrogate"}


def _masked(number: str | None) -> str:
    return f"{number[:6]} *****" if number else ""


def _age(birth: date) -> int:
    return age_on(birth, clock.today())


pages: Jinja2Templates = templates(Path(__file__).parents[1] / "templates")
pages.env.filters.update(masked=_masked)
pages.env.globals.update(NEED_FLAGS=NEED_FLAGS, CHANNELS_NB=CHANNELS_NB, CONDITIONS_NB=CONDITIONS_NB,
                         STATUS_NB=STATUS_NB, DECISION_STATUS_NB=DECISION_STATUS_NB, OUTCOME_NB=OUTCOME_NB,
                         ACTION_NB=ACTION_NB, SEX_NB=SEX_NB, WARNING_TEXTS_NB=WARNING_TEXTS_NB, age=_age)


def render(request: Request, name: str, status_code: int = 200, **context):
    return pages.TemplateResponse(request, name, context, status_code=status_code)


async def form_values(request: Request) -> dict:
    """The posted form as text values (kept to fill the form again), the checked conditions as a list."""
    form = await request.form()
    values: dict = {k: str(v) for k, v in form.items()}
    values["conditions"] = [str(v) for v in form.getlist("conditions")]
    return values


def received_at(text: str | None) -> str | None:
    """The form's datetime-local (Norwegian local time) as an aware timestamp; empty = now."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).replace(tzinfo=clock.NORWAY).isoformat()
    except ValueError:
        return text  # left for the model to refuse, naming the field


def parse_dates(text: str) -> list[str]:
    """Children's birth dates typed as dd.mm.åååå (or åååå-mm-dd), separated by commas or spaces."""
    out = []
    for part in [p for p in re.split(r"[,\s;]+", text or "") if p]:
        try:
            out.append(read_date_nb(part).isoformat())
        except ValueError as exc:
            raise ValueError(part) from exc
    return out


def blank_to_none(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def domain_errors(exc: IntakeError, prefix: str = "", default: str = "form") -> dict[str, str]:
    return {prefix + (exc.field or default): str(exc)}


def form_errors(exc: ValidationError, prefix: str = "") -> dict[str, str]:
    """Pydantic's complaints as Norwegian messages keyed by the field, for the forms."""
    errors: dict[str, str] = {}
    for err in exc.errors():
        loc = [str(p) for p in err["loc"] if not isinstance(p, int)]
        key = loc[0] if loc else "form"
        if key == "needs" and len(loc) > 1:
            key = loc[1]
        kind = err["type"]
        ctx = err.get("ctx") or {}
        if kind in FORM_ERRORS_NB:
            msg = err["msg"]
        elif kind in ("missing", "string_too_short") or err.get("input") in (None, ""):
            msg = "Må fylles ut."
        elif kind == "string_too_long":
            msg = f"For langt: høyst {ctx.get('max_length')} tegn."
        elif kind.startswith("date") or kind.startswith("datetime") or kind == "timezone_aware":
            msg = "Ugyldig dato."
        elif kind in ("int_parsing", "int_type", "int_from_float"):
            msg = "Må være et helt tall."
        elif kind in ("greater_than_equal", "less_than_equal"):
            msg = "Tallet er utenfor det tillatte området."
        elif kind == "literal_error":
            msg = "Ugyldig valg."
        elif kind == "too_long":
            msg = "For mange verdier."
        else:
            msg = "Ugyldig verdi."
        errors.setdefault(prefix + key, msg)
    return errors
