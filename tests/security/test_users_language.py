"""The users' language on every page: each role logs in on one running system with demo data, walks every page
its menus and the front page lead to (and the detail pages of a case, a stay, a provider, a requisition, an
invoice and a report), and the visible text holds no internal code, no ISO date, no raw JSON, no English error,
no "1 voksne" and no number with a decimal point. The codes are the ones the services keep: their enums and the
keys of their label tables, collected from the modules rather than listed here."""

from __future__ import annotations

import enum
import importlib
import pkgutil
import re
import typing
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from kit.clock import today
from tests.billing.factory import Line, ehf
from tests.conftest import eventually, login
from tests.placement.helpers import fnr

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.http_only]

ROLES = ("veileder-grunerlokka", "leder-grunerlokka", "okonomi", "drift", "stab-oslo", "admin")
PAGES_PER_ROLE = 150
PAGES_PER_SHAPE = 3
"""Of pages that differ only in an id (a case, a stay…), a few are enough: the rest are drawn by the same code."""
SKIP = re.compile(r"^/(logout|login)|/docs|/openapi|/api/|\.(pdf|csv|xlsx)$")
"""Not pages for reading here: logging out, the API and its docs, downloads, and the payment export (whose page
another change reworks)."""

NOT_CODES = {"admin", "digital", "male", "none", "registrert", "endret", "uendret"}
"""Words that are codes but also what a user reads: the admin's user name, Norwegian words ("digital", "male",
and the offices page's notices, "?lagret=registrert")."""
LITERAL = ("script", "style", "template", "noscript", "code")
"""Not read as prose: scripts and styles, and `<code>`, what the user types as it stands (a command, a file's
column names)."""

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
DECIMAL_POINT = re.compile(r"(?<![\d.])\d+\.\d+(?![\d.])")
ENGLISH = re.compile(r"\b(Not Found|Forbidden|Unauthorized|Internal Server Error|Method Not Allowed|Bad Request|"
                     r"Field required|Input should|[Vv]alue error|is not a valid|Unprocessable|Traceback|"
                     r"Exception|[Ii]nvalid|is required|must be)\b")
AFTER_NO_DIGITS = r"(?<!\d[\xa0 ])(?<![\d,.])\b"  # a whole number of its own, not the end of "1 650"
WRONG_PLURAL = re.compile(AFTER_NO_DIGITS + r"1 (voksne|senger|netter|enheter|rader|dager|husstander|plasser|"
                          r"linjer|fakturaer|rekvisisjoner|saker|søknader|kontorer|tilbydere|uker|måneder|"
                          r"personer|brukere)\b"
                          r"|" + AFTER_NO_DIGITS + r"(?:[02-9]|[1-9]\d+) "
                          r"(voksen|seng|natt|enhet|rad|husstand|plass|linje|person)\b"
                          r"|\b\w+\((?:e|er|ne)\)|\bvoksene\b")
"""Singular after a number other than one, plural after one, "voksen(e)", and the "voksene" that no one writes."""


def internal_codes() -> set[str]:
    """The codes the services keep: their enums' and Literal types' values and their label tables' keys."""
    codes, labels = set(), set()
    modules = [importlib.import_module(name) for name in ("kit.formatting", "kit.auth")]
    for service in ("intake", "placement", "billing", "stats"):
        for part in ("domain", "entrypoints.pages"):
            package = importlib.import_module(f"services.{service}.{part}")
            modules += [importlib.import_module(f"{package.__name__}.{m.name}")
                        for m in pkgutil.iter_modules(package.__path__)]
    for module in modules:
        for name, value in vars(module).items():
            if isinstance(value, type) and issubclass(value, enum.Enum) and value.__module__ == module.__name__:
                codes |= {m.value for m in value if isinstance(m.value, str)}
            elif typing.get_origin(value) is typing.Literal:
                codes |= {v for v in typing.get_args(value) if isinstance(v, str)}
            elif isinstance(value, dict) and (name.endswith("_NB") or name.startswith("LABELS")):
                for key, label in value.items():
                    key = key.value if isinstance(key, enum.Enum) else key
                    codes.add(key)
                    labels.add(str(label).lower())
    return {c for c in codes if isinstance(c, str) and re.fullmatch(r"[a-z][a-z0-9_]{3,}", c)
            and c not in labels and c not in NOT_CODES}


class Text(HTMLParser):
    """What a person reads on a page: the body's text, without attributes and `LITERAL` elements."""

    def __init__(self):
        super().__init__()
        self.hidden, self.in_body, self.parts, self.links = 0, False, [], []

    def handle_starttag(self, tag, attrs):
        if tag == "body":
            self.in_body = True
        elif tag in LITERAL:
            self.hidden += 1
        if tag == "a" and (href := dict(attrs).get("href")) and "download" not in dict(attrs):
            self.links.append(href)
        if tag in ("br", "p", "div", "li", "tr", "td", "th", "dd", "dt", "h1", "h2", "h3", "option", "summary"):
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in LITERAL and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if self.in_body and not self.hidden:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"[ \t\r\f\v]+", " ", "".join(self.parts))


def problems(text: str, codes: re.Pattern) -> list[str]:
    found = []
    for line in (x.strip() for x in text.split("\n")):
        if not line:
            continue
        for what, pattern in (("ISO-dato", ISO_DATE), ("kode", SNAKE_CASE), ("kode", codes),
                              ("desimalpunktum", DECIMAL_POINT), ("engelsk", ENGLISH), ("flertall", WRONG_PLURAL)):
            found += [f"{what} {m.group(0)!r} in «{line[:160]}»" for m in pattern.finditer(line)]
        if '{"' in line:
            found.append(f"JSON in «{line[:160]}»")
    return list(dict.fromkeys(found))


def shape(path: str) -> str:
    """A page's path with its ids left out: /placement/stays/<id>."""
    parts = urlsplit(path)
    segments = [re.sub(r"^(?=.*\d)[\w-]{6,}$", "<id>", s) for s in parts.path.split("/")]
    return "/".join(segments) + ("?" + "&".join(sorted(k.split("=")[0] for k in parts.query.split("&")))
                                 if parts.query else "")


async def granted(client: httpx.AsyncClient, worker: dict, leader: dict, *, period_from: date, period_to: date,
                  children: tuple[date, ...] = ()) -> dict:
    """An application granted (and approved, as Grünerløkka requires) that placement has received."""
    applied = await client.post("/intake/api/applications", headers=worker, json={
        "identity_number": fnr(date(1984, 2, 3)), "name": "Kari Nordmann", "office_id": "nav-grunerlokka",
        "urgent": True, "children_birth_dates": [str(c) for c in children]})
    assert applied.status_code == 201, applied.text
    decided = await client.post(f"/intake/api/applications/{applied.json()['application_id']}/decision",
                                headers=worker, json={"outcome": "granted", "period_from": str(period_from),
                                                      "period_to": str(period_to)})
    assert decided.status_code == 201, decided.text
    decision_id = decided.json()["decision_id"]
    if decided.json()["status"] == "awaiting_approval":
        approved = await client.post(f"/intake/api/decisions/{decision_id}/approval", headers=leader,
                                     json={"justification": "Ingen annen forsvarlig bolig er ledig ennå."})
        assert approved.status_code == 200, approved.text

    async def arrived():
        return (await client.get(f"/placement/api/decisions/{decision_id}", headers=worker)).status_code == 200
    await eventually(arrived)
    return {**applied.json(), "decision_id": decision_id}


async def the_papers(client: httpx.AsyncClient) -> list[str]:
    """A granted, placed household with a requisition and an approved invoice (a night before check-in), and
    a family's granted decision waiting for a place: the detail pages to walk."""
    worker, leader = await login(client, "veileder-grunerlokka"), await login(client, "leder-grunerlokka")
    check_in = today() - timedelta(days=12)
    placed_case = await granted(client, worker, leader, period_from=check_in, period_to=today() + timedelta(days=40))
    fits = (await client.get(f"/placement/api/decisions/{placed_case['decision_id']}/matches",
                             headers=worker)).json()["fits"]
    placed = await client.post("/placement/api/stays", headers=worker, json={
        "decision_id": placed_case["decision_id"], "unit_id": fits[0]["unit_id"], "check_in": str(check_in)})
    assert placed.status_code == 201, placed.text
    stay = placed.json()
    waiting = await granted(client, worker, leader, period_from=today(), period_to=today() + timedelta(days=20),
                            children=(date(2015, 6, 1),))
    finance = await login(client, "okonomi")

    async def requisition():
        r = await client.get("/billing/api/requisitions", headers=finance, params={"stay_id": stay["stay_id"]})
        return r.json()["items"]
    [req] = await eventually(requisition)
    invoice = ehf(number="F-2001", supplier_orgnr=req["provider_orgnr"], order_reference=req["number"], lines=[
        Line(check_in - timedelta(days=1), check_in + timedelta(days=3), Decimal(str(req["price_per_night"])))])
    imported = await client.post("/billing/api/invoices", headers={**finance, "content-type": "application/xml"},
                                 content=invoice)
    assert imported.status_code == 201, imported.text
    [inv] = imported.json()["invoices"]
    approved = await client.post(f"/billing/api/invoices/{inv['invoice_id']}/approve", headers=finance,
                                 json={"comment": "Natten før innsjekk er trukket fra."})
    assert approved.status_code == 200, approved.text

    async def spent():  # stats has the approved amount, so the spend report shows one
        r = await client.get(f"/stats/api/reports/kostnader?year={today().year}&municipality=0301", headers=finance)
        return r.status_code == 200 and r.json()["rows"]
    await eventually(spent)
    exported = await client.post("/billing/api/exports", headers=finance,
                                 json={"period_from": str(today()), "period_to": str(today())})
    assert exported.status_code == 201, exported.text  # the export page lists it
    return [f"/intake/applications/{placed_case['application_id']}",
            f"/intake/households/{placed_case['household_id']}",
            f"/intake/applications/{waiting['application_id']}",
            f"/placement/stays/{stay['stay_id']}", f"/placement/stays/{stay['stay_id']}/move",
            f"/placement/decisions/{waiting['decision_id']}/places", f"/placement/providers/{fits[0]['provider_id']}",
            f"/billing/requisitions/{req['number']}", f"/billing/stays/{stay['stay_id']}",
            f"/billing/invoices/{inv['invoice_id']}", "/billing/invoices", "/stats/", "/placement/",
            "/placement/views", "/placement/imports", "/placement/providers", "/placement/decisions",
            "/intake/offices", "/intake/offices/nav-grunerlokka", "/intake/audit", "/intake/queue",
            "/intake/households", "/intake/households?vedtak=in_effect&sorter=-decision",
            "/intake/applications/new", "/stats/gjenoppbygging", "/billing/export", "/stats/rapporter/uke",
            # what a mistyped or stale link shows: a page in Norwegian, not an API's error
            "/placement/stays/ikke-en-id", "/intake/households/ikke-en-id", "/billing/invoices/ikke-en-id",
            "/stats/rapporter/finnes-ikke", "/placement/finnes-ikke", "/intake/households?per_side=0"]


async def walk(client: httpx.AsyncClient, start: list[str], codes: re.Pattern) -> tuple[list[str], int]:
    queue, seen, shapes, found, walked = list(dict.fromkeys(start)), set(), {}, [], 0
    while queue and walked < PAGES_PER_ROLE:
        path = queue.pop(0)
        if path in seen or SKIP.search(urlsplit(path).path):
            continue
        seen.add(path)
        if shapes.setdefault(shape(path), 0) >= PAGES_PER_SHAPE:
            continue
        shapes[shape(path)] += 1
        response = await client.get(path, follow_redirects=True)
        walked += 1
        if "html" not in response.headers.get("content-type", ""):
            found.append(f"{path}: {response.status_code} {response.headers.get('content-type')}: "
                         f"{response.text[:160]!r}")
            continue
        page = Text()
        page.feed(response.text)
        found += [f"{path}: {p}" for p in problems(page.text, codes)]
        for href in page.links:
            url = urlsplit(urljoin(str(response.url), href))
            if url.netloc == urlsplit(str(response.url)).netloc and url.scheme in ("http", "https"):
                target = url.path + (f"?{url.query}" if url.query else "")
                if target not in seen:
                    queue.append(target)
    return found, walked


def code_pattern(codes: set[str]) -> re.Pattern:
    return re.compile(r"(?<![\w/.@-])(" + "|".join(sorted(map(re.escape, codes), key=len, reverse=True))
                      + r")(?![\w/@-])")


@pytest.mark.parametrize("text, found", [
    ("Status: awaiting_approval", "kode 'awaiting_approval'"), ("Målgrupper: families", "kode 'families'"),
    ("Tilsyn 2026-11-05", "ISO-dato '2026-11-05'"), ('{"detail":"Not Found"}', "JSON"),
    ("Rammeavtale, 1650.00 kr/natt", "desimalpunktum '1650.00'"), ("Faktura F-1: 1 netter før innsjekk", "flertall"),
    ("2 voksene", "flertall"), ("Field required", "engelsk"),
    ("Rammeavtale, 1\xa0650,00\xa0kr per natt, 1 voksen, 2 voksne, fra 05.03.2026 14:03", None),
])
def test_the_walk_sees_what_a_user_should_not_have_to_read(text, found):
    seen = problems(text, code_pattern(internal_codes()))
    assert (any(p.startswith(found) for p in seen) if found else not seen), seen


async def test_every_page_of_every_role_speaks_the_users_language(stack):
    codes = internal_codes()
    assert {"singles_couples", "awaiting_approval", "nights_before_check_in", "families", "approved"} <= codes
    found, walked = [], {}
    async with httpx.AsyncClient(base_url=stack.url, timeout=60) as client:
        details = await the_papers(client)
        for username in ROLES:
            client.headers.update(await login(client, username))
            front = await client.get("/")
            start = ["/", *(h for h in links_of(front.text) if h.startswith("/")), *details]
            role_found, walked[username] = await walk(client, start, code_pattern(codes))
            found += [f"{username} {p}" for p in role_found]
    print("pages walked per role:", walked)  # noqa: T201 - what the run covered
    assert all(n > 10 for n in walked.values()), walked
    assert not found, f"{len(found)} places where a page speaks code, not Norwegian:\n" + "\n".join(found)


def links_of(html: str) -> list[str]:
    page = Text()
    page.feed(html)
    return page.links
