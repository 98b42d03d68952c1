"""No identity number or name in any URL, route or metric, and every view of a person's data is audited.

Two households with names and numbers are registered and granted; then each role walks every page it can
reach from the start pages (every link, as a browser follows them), and a case worker looks a person up
through the lookup form. Every URL requested, every link and form target on the pages and every redirect is
scanned, so is /metrics afterwards; and the audit log must hold one entry for each case, household or
lookup the walk opened."""

import html
import re
from collections import Counter
from datetime import date
from urllib.parse import unquote, urljoin, urlsplit

import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from services.intake.domain.identity import synthetic_identity_number
from tests.conftest import login
from tests.intake.helpers import application, granted

pytestmark = [pytest.mark.integration]

NAMES = ["Solveig Urlfrisdottir", "Halvard Metrikkvang"]
PERSONAL_PARAMETERS = {"identity_number", "fnr", "fodselsnummer", "personnummer", "name", "navn", "birth_date"}
ROLES = ["veileder-grunerlokka", "leder-grunerlokka", "okonomi", "drift", "admin"]
LINK = re.compile(r'(href|action|src)="([^"]*)"')
SKIP = ("/login", "/logout", "/metrics")
MAX_PAGES_PER_ROLE = 400


def needles(numbers: list[str]) -> list[str]:
    words = []
    for n in numbers:
        words += [n, f"{n[:6]} {n[6:]}", f"{n[:6]}-{n[6:]}", f"{n[:6]}%20{n[6:]}"]
    for name in NAMES:
        words += [name, name.replace(" ", "+"), name.replace(" ", "%20"), *name.split()]
    return [w.lower() for w in words]


def test_no_route_takes_personal_data_in_its_path_or_query(stack):
    found = []
    for service, parts in stack.parts.items():
        for context in iter_route_contexts(parts.app.routes):  # the routes of included routers too
            route = context.original_route
            if not isinstance(route, APIRoute):
                continue
            params = [p.alias for p in route.dependant.path_params + route.dependant.query_params]
            found += [f"{service} {route.path}: {p}" for p in params if p.lower() in PERSONAL_PARAMETERS]
    assert not found, found


async def test_urls_links_redirects_and_metrics_hold_no_personal_data_and_every_view_is_audited(stack):
    numbers = [synthetic_identity_number(date(1979, 5, 17), tenor=False),
               synthetic_identity_number(date(1990, 11, 2), tenor=False)]
    words = needles(numbers)
    hits: list[str] = []

    def scan(text: str, where: str) -> None:
        lowered = unquote(text).lower()
        hits.extend(f"{w!r} in {where}" for w in words if w in lowered or w in text.lower())

    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        worker = await login(client, "veileder-grunerlokka")
        leader = await login(client, "leder-grunerlokka")
        for fnr, name in zip(numbers, NAMES, strict=True):
            r = await client.post("/intake/api/applications", headers=worker, json=application(
                fnr, office="nav-grunerlokka", name=name))
            assert r.status_code == 201, r.text
            d = await client.post(f"/intake/api/applications/{r.json()['application_id']}/decision",
                                  headers=worker, json=granted())
            assert d.status_code == 201, d.text
            a = await client.post(f"/intake/api/decisions/{d.json()['decision_id']}/approval", headers=leader)
            assert a.status_code == 200, a.text

        async with stack.pools["intake"].acquire() as conn:
            audit_before = await conn.fetchval("SELECT coalesce(max(id), 0) FROM audit_log")

        views: Counter = Counter()  # (username, action, household or case id) the walk opened
        requested = named_pages = 0
        walked: dict[str, int] = {}
        for username in ROLES:
            headers = await login(client, username)
            queue = ["/", "/intake/", "/intake/?alle=true", "/placement/", "/billing/", "/stats/"]
            seen: set[str] = set()
            while queue and len(seen) < MAX_PAGES_PER_ROLE:
                url = queue.pop(0)
                if urlsplit(url).path in seen:  # one visit per page: query strings (dates, years) are endless
                    continue
                seen.add(urlsplit(url).path)
                scan(url, f"URL {url} ({username})")
                async with stack.pools["intake"].acquire() as conn:
                    before = await conn.fetchval("SELECT coalesce(max(id), 0) FROM audit_log")
                r = await client.get(url, headers=headers, follow_redirects=False)
                requested += 1
                if r.status_code == 200 and (any(n in r.text for n in NAMES) or "letter.pdf" in url):
                    # a page (of any service) that names a person, or a decision letter: intake recorded it
                    async with stack.pools["intake"].acquire() as conn:
                        entries = await conn.fetch("SELECT username, action FROM audit_log WHERE id > $1", before)
                    assert any(e["username"] == username and e["action"].startswith("view_") for e in entries), (
                        f"{url} showed {username} a person's data without an entry in intake's audit log")
                    named_pages += 1
                assert r.status_code < 500, (url, r.status_code)
                if "location" in r.headers:
                    scan(r.headers["location"], f"redirect from {url}")
                path = urlsplit(url).path
                if r.status_code == 200 and re.fullmatch(r"/intake/applications/[0-9a-f-]{36}", path):
                    views[(username, "view_case")] += 1
                if r.status_code == 200 and re.fullmatch(r"/intake/households/[0-9a-f-]{36}", path):
                    views[(username, "view_household")] += 1
                if "text/html" not in r.headers.get("content-type", ""):
                    continue
                for kind, link in LINK.findall(r.text):
                    target = html.unescape(link)
                    scan(target, f"{kind} on {url}")
                    absolute = urljoin(url, target)
                    if (kind == "href" and absolute.startswith("/") and not absolute.startswith(SKIP)
                            and urlsplit(absolute).path not in seen):
                        queue.append(absolute)
            assert len(seen) >= 5
            assert not queue or len(seen) == MAX_PAGES_PER_ROLE
            walked[username] = len(seen)

        # The lookup form: the number goes in the body of a POST, never in the URL or the redirect.
        for fnr in numbers:
            r = await client.post("/intake/lookup", headers=worker, follow_redirects=False,
                                  data={"lookup_identity_number": fnr, "lookup_purpose": "Kontroll av URL-er"})
            assert r.status_code == 200 and "Husstanden er registrert" in r.text, r.text[-500:]
            views[("veileder-grunerlokka", "search")] += 1
            scan(r.headers.get("location", ""), "redirect after lookup")
            for kind, link in LINK.findall(r.text):
                scan(html.unescape(link), f"{kind} on the lookup result")

        metrics = (await client.get("/metrics")).text
        scan(metrics, "/metrics")
        assert "http_requests" in metrics or "botilbud" in metrics

    print(f"personal data scan: {requested} pages requested ({named_pages} naming a person) {walked}, "
          f"views {dict(views)}, {len(metrics)} bytes of metrics")
    assert requested >= 50
    assert views[("veileder-grunerlokka", "view_case")] >= 2 and views[("veileder-grunerlokka", "search")] == 2
    assert not hits, "\n".join(hits[:50])

    async with stack.pools["intake"].acquire() as conn:
        rows = await conn.fetch("SELECT username, action FROM audit_log WHERE id > $1", audit_before)
    # the case and household pages the walk opened, each audited once (the other views: per page, above)
    audited = Counter((r["username"], r["action"]) for r in rows if r["action"] in {"view_case", "view_household",
                                                                                      "search"})
    assert named_pages >= 5
    assert audited == views, f"audited {dict(audited)}, viewed {dict(views)}"
