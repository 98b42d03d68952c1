"""One guard in front of every service: text that no service can store or export is refused with a 422 that
names where it is, before any service sees the request.

Refused: a lone surrogate (it has no UTF-8 form: PostgreSQL, the broker and every file writer fail on it), a NUL
byte (PostgreSQL's text cannot hold one) and the other control characters except tab, line feed and carriage
return (XLSX cannot hold them, and in a name or a note they only hide text). Bidirectional marks and other
format characters are text and pass.

Checked: the path, the query parameters, JSON bodies (every string and key, at any depth) and the text fields of
forms (urlencoded and multipart). The content of an uploaded file, and raw bodies such as CSV or XML uploads,
are the receiving service's business. A body is read only for JSON and forms, up to the cap the CSRF check
already holds bodies to (it has usually read it already; the guard reads its replay); most JSON bodies are not
parsed at all, since a byte scan finds nothing that could decode to a refused character."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kit.logging import get_logger
from kit.problems import FieldProblem, answer

log = get_logger(__name__)

FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# In raw JSON bytes: an escape (\u0000, \ud800 …) or a raw control byte, C1 controls included (UTF-8 \xc2\x80-\x9f).
_MAYBE_FORBIDDEN_JSON = re.compile(rb"\\u|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]")
MAX_BODY_BYTES = 16 * 1024 * 1024  # the CSRF check's cap (kit.web)
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MOST_REPORTED = 20
FIELD_MSG_NB = ("Inneholder et tegn som ikke kan brukes (et kontrolltegn, et NUL-tegn eller en ufullstendig "
                "Unicode-kode). Fjern tegnet og prøv igjen.")


async def read_body(receive: Receive, limit: int) -> tuple[bytes, bool]:
    """The whole body, or (b"", True) once it is over `limit` bytes."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return b"", True
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks), False


def replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the app the body already read, then whatever comes after (a disconnect)."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()
    return again


def _shown(name: str) -> str:
    """A field name fit to answer with: a refused character is not echoed."""
    return FORBIDDEN.sub("\ufffd", name)[:80]


def in_pairs(where: str, pairs: list[tuple[str, str]]) -> list[list[str | int]]:
    return [[where, _shown(name)] for name, value in pairs if FORBIDDEN.search(name) or FORBIDDEN.search(value)]


def in_json(document) -> list[list[str | int]]:
    """Where a JSON document holds a refused character, in document order (FastAPI's `loc` shape)."""
    found: list[list[str | int]] = []
    pending = [(["body"], document)]
    while pending and len(found) < MOST_REPORTED:
        loc, value = pending.pop()
        if isinstance(value, str):
            if FORBIDDEN.search(value):
                found.append(loc)
        elif isinstance(value, dict):
            found += [[*loc, _shown(key)] for key in value if FORBIDDEN.search(key)]
            pending.extend(([*loc, key], item) for key, item in reversed(list(value.items()))
                           if not FORBIDDEN.search(key))
        elif isinstance(value, list):
            pending.extend(([*loc, i], item) for i, item in reversed(list(enumerate(value))))
    return found


async def _in_form(scope: Scope, body: bytes, receive: Receive) -> list[list[str | int]]:
    try:
        async with Request(scope, replay(body, receive)).form() as form:
            # Files are the service's business; their names and every text field are checked.
            return [["body", _shown(name)] for name, value in form.multi_items()
                    if FORBIDDEN.search(name) or FORBIDDEN.search(value if isinstance(value, str)
                                                                   else value.filename or "")]
    except Exception:  # an unparseable form: the service answers it  # noqa: BLE001
        return []


def _media_type(headers: Headers) -> str:
    return headers.get("content-type", "").split(";", 1)[0].strip().lower()


def _is_json(media_type: str) -> bool:
    # FastAPI reads a body without a content type as JSON too.
    return media_type in ("", "application/json") or (media_type.startswith("application/")
                                                      and media_type.endswith("+json"))


class InputGuard:
    """ASGI middleware (the root app installs it inside the CSRF check, so it sees the body that check read)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        found: list[list[str | int]] = []
        if FORBIDDEN.search(scope["path"]):
            found.append(["path"])
        query = scope.get("query_string", b"")
        if query:
            found += in_pairs("query", parse_qsl(query.decode("latin-1"), keep_blank_values=True))
        media_type = _media_type(Headers(scope=scope))
        reads_body = scope["method"] in BODY_METHODS and (
            _is_json(media_type) or media_type in ("application/x-www-form-urlencoded", "multipart/form-data"))
        if reads_body and not found:
            body, too_large = await read_body(receive, MAX_BODY_BYTES)
            if too_large:
                await answer(Request(scope), 413, "Forespørselen er for stor.")(scope, receive, send)
                return
            receive = replay(body, receive)
            if _is_json(media_type):
                if _MAYBE_FORBIDDEN_JSON.search(body):
                    try:
                        found += in_json(json.loads(body))
                    except (ValueError, RecursionError):
                        pass  # not JSON: FastAPI answers that itself
            elif media_type == "multipart/form-data":
                found += await _in_form(scope, body, receive)
            else:
                found += in_pairs("body", parse_qsl(body.decode("latin-1"), keep_blank_values=True))
        if not found:
            await self.app(scope, receive, send)
            return
        # Where, not what: neither the value nor a field name an attacker chose goes into the log.
        log.info("input_refused", path="(refused)" if found[0] == ["path"] else scope["path"],
                 places=sorted({str(loc[0]) for loc in found}), fields=len(found))
        errors = [FieldProblem(loc=loc, msg=FIELD_MSG_NB, type="forbidden_character") for loc in found]
        where = ".".join(str(p) for p in found[0])
        response = answer(Request(scope), 422, f"{where}: {FIELD_MSG_NB}", errors)
        await response(scope, receive, send)
