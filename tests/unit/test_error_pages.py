"""Errors on page routes are Norwegian pages with a way back; on API routes (`/api/`) they stay problem details
(RFC 9457). Through the kit's real root app with a toy service mounted (tests/unit/toy_service.py)."""

import re

import httpx
import pytest

from kit.auth import SESSION_COOKIE
from kit.problems import PROBLEM_JSON, validation_message_nb
from tests.unit.toy_service import SIGNER, WORKER, root_app

UUID = "5b0f6a2e-8f0e-4a8a-9d51-1b3f1d6c2a10"


def browser(app, *, session: str | None = None) -> httpx.AsyncClient:
    """A logged-in browser (the session cookie), unless `session` gives another cookie."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://test", follow_redirects=False,
                             cookies={SESSION_COOKIE: session or SIGNER.issue(WORKER)},
                             headers={"accept": "text/html"})


def visible(html: str) -> str:
    main = re.search(r"<main.*?</main>", html, re.S).group(0)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).strip()


def links(html: str) -> dict[str, str]:
    main = re.search(r"<main.*?</main>", html, re.S).group(0)
    return {re.sub(r"\s+", " ", text).strip(): href for href, text in re.findall(r'<a href="([^"]+)">(.*?)</a>', main)}


@pytest.mark.parametrize("path, status, title", [
    ("/toy/nope", 404, "Fant ikke det du så etter"),  # FastAPI's own 404 in a service
    ("/nope", 404, "Fant ikke det du så etter"),  # and at the root
    ("/toy/items/not-an-id", 422, "Opplysningene kan ikke brukes"),  # FastAPI's validation of the path
    ("/toy/finance", 403, "Ingen tilgang"),
    ("/toy/boom", 500, "Noe gikk galt"),
])
async def test_a_page_route_answers_a_norwegian_page_with_a_way_back(tmp_path, path, status, title):
    async with browser(root_app(tmp_path)) as c:
        r = await c.get(path, headers={"referer": "http://test/toy/items/" + UUID})
    assert r.status_code == status
    assert r.headers["content-type"].startswith("text/html") and '<html lang="nb">' in r.text
    text = visible(r.text)
    assert text.startswith(title), text
    assert "detail" not in text and "{" not in text, text
    for english in ("Not Found", "Input should", "Internal Server Error", "Forbidden", "UUID, invalid"):
        assert english not in text
    ways = links(r.text)
    assert ways["Tilbake til forrige side"] == f"/toy/items/{UUID}" and ways["Til forsiden"] == "/"
    if path.startswith("/toy/"):
        assert ways["Til Leketøy"] == "/toy/"  # the service's own front page


async def test_a_bad_id_in_the_address_is_explained_in_norwegian(tmp_path):
    async with browser(root_app(tmp_path)) as c:
        text = visible((await c.get("/toy/items/not-an-id")).text)
    assert "Adressen til siden inneholder en verdi som ikke kan brukes." in text
    assert "Må være en gyldig id (UUID)." in text and "item_id" not in text


async def test_a_form_sent_after_the_session_ended_gets_a_401_page_with_the_login(tmp_path):
    ended = "not-a-valid-session"
    async with browser(root_app(tmp_path), session=ended) as c:
        r = await c.post("/toy/people", data={"name": "Kari", "csrf_token": SIGNER.csrf_token(ended)},
                         headers={"referer": "http://test/toy/people/new"})
        again = await c.get("/toy/items/" + UUID)
    assert r.status_code == 401 and r.headers["content-type"].startswith("text/html")
    assert visible(r.text).startswith("Ikke innlogget")
    assert links(r.text)["Logg inn på nytt"] == "/login?next=%2Ftoy%2Fpeople%2Fnew"
    # A page (GET) is sent to the login page instead, and comes back after it.
    assert again.status_code == 303 and again.headers["location"] == f"/login?next=%2Ftoy%2Fitems%2F{UUID}"


async def test_a_service_the_role_may_not_use_is_not_offered_as_the_way_back(tmp_path):
    from kit.auth import MENU_ROLES, Role, User

    staff = User("stab", Role.MUNICIPALITY_STAFF, None, "Stab", "0301")
    MENU_ROLES["toy"] = frozenset({Role.CASE_WORKER})
    try:
        async with browser(root_app(tmp_path), session=SIGNER.issue(staff)) as c:
            r = await c.get("/toy/nope")
    finally:
        del MENU_ROLES["toy"]
    assert r.status_code == 404 and "Til Leketøy" not in links(r.text)


@pytest.mark.parametrize("path, status", [
    ("/toy/api/nope", 404), ("/toy/api/items/not-an-id", 422), ("/toy/api/finance", 403), ("/toy/api/boom", 500),
])
async def test_an_api_route_keeps_problem_details(tmp_path, path, status):
    async with browser(root_app(tmp_path)) as c:
        r = await c.get(path)
    assert r.status_code == status and r.headers["content-type"] == PROBLEM_JSON
    assert r.json()["status"] == status and r.json()["title"] and r.json()["instance"] == path


async def test_an_api_route_without_a_token_answers_a_401_problem(tmp_path):
    transport = httpx.ASGITransport(app=root_app(tmp_path))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        r = await c.get("/toy/api/items/" + UUID)
    assert r.status_code == 401 and r.headers["content-type"] == PROBLEM_JSON
    assert r.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("error, message", [
    ({"type": "missing", "msg": "Field required"}, "Må fylles ut."),
    ({"type": "string_too_long", "msg": "…", "ctx": {"max_length": 30}}, "Kan ha høyst 30 tegn."),
    ({"type": "literal_error", "msg": "…", "ctx": {"expected": "'csv' or 'xlsx'"}},
     "Må være en av: 'csv' eller 'xlsx'."),
    ({"type": "value_error", "msg": "Value error, Må være et organisasjonsnummer."}, "Må være et organisasjonsnummer."),
    ({"type": "text", "msg": "Teksten inneholder kontrolltegn."}, "Teksten inneholder kontrolltegn."),  # our own
    ({"type": "complex_type", "msg": "Input should be a valid complex number"}, "Ugyldig verdi."),
])
def test_validation_messages_are_norwegian(error, message):
    assert validation_message_nb(error) == message
