"""kit/paging.py: the page asked for, the sort order as SQL from a whitelist only, links that keep the filters,
the dependency's 422s, and the pager as a page shows it."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from fastapi import Depends, FastAPI
from httpx import ASGITransport, AsyncClient

from kit.paging import (
    API_NAMES,
    PAGE_NAMES,
    Page,
    PageOut,
    Paging,
    Sorting,
    fetch_page,
    order_by,
    paging_dependency,
)
from kit.problems import install_http_error_handlers
from kit.templating import templates

SORTING = Sorting({"received": "a.received_at", "status": "a.status"}, "-received", "a.id")


def test_paging_bounds():
    assert Paging().page == 1 and Paging().page_size == 50
    assert Paging(3, 20).offset == 40 and Paging(3, 20).limit == 20
    for bad in ({"page": 0}, {"page_size": 0}, {"page_size": 201}):
        with pytest.raises(ValueError):
            Paging(**bad)


def test_order_by_maps_a_whitelisted_key_and_refuses_the_rest():
    assert order_by("received", SORTING.columns, "a.id") == "a.received_at ASC NULLS LAST, a.id ASC"
    assert SORTING.sql("-status") == "a.status DESC NULLS LAST, a.id DESC"
    assert SORTING.sql(None) == "a.received_at DESC NULLS LAST, a.id DESC"
    assert order_by("-u", {"u": ("a.urgent", "a.received_at")}, "a.id") == (
        "a.urgent DESC NULLS LAST, a.received_at DESC NULLS LAST, a.id DESC")
    assert order_by("open", {"open": ("s.check_out IS NOT NULL", "-s.check_in")}, "s.id") == (
        "s.check_out IS NOT NULL ASC NULLS LAST, s.check_in DESC NULLS LAST, s.id ASC")
    with pytest.raises(KeyError):
        order_by("a.id; DROP TABLE applications", SORTING.columns, "a.id")
    with pytest.raises(ValueError):
        Sorting({"x": "x"}, "y", "id")


def test_page_counts_its_pages():
    rows = list(range(12))
    second = Page.of(rows, Paging(2, 5))
    assert (second.items, second.total, second.pages) == ([5, 6, 7, 8, 9], 12, 3)
    assert second.has_previous and second.has_next
    last = Page.of(rows, Paging(3, 5))
    assert last.items == [10, 11] and not last.has_next
    beyond = Page.of(rows, Paging(9, 5))
    assert beyond.items == [] and beyond.total == 12 and beyond.pages == 3
    assert Page.of([], Paging()).pages == 1
    assert Page.of(rows, Paging(1, 5)).map(str).items == ["0", "1", "2", "3", "4"]
    out = PageOut[int].of(second)
    assert out.model_dump() == {"items": [5, 6, 7, 8, 9], "total": 12, "page": 2, "page_size": 5, "pages": 3}


def test_links_keep_the_filters_and_the_page_size():
    paging = Paging(2, 5, "-received", PAGE_NAMES)
    filters = {"status": "received", "ref": "", "side": "2", "per_side": "5", "sorter": "-received"}
    assert dict(parse_qsl(paging.query(filters, page=3)[1:])) == {
        "status": "received", "per_side": "5", "sorter": "-received", "side": "3"}
    # A new order starts at the first page.
    assert dict(parse_qsl(paging.query(filters, sort="status")[1:])) == {
        "status": "received", "per_side": "5", "sorter": "status"}
    assert paging.aria_sort("received") == "descending" and paging.aria_sort("status") is None
    assert paging.sort_toggle("received") == "received" and paging.sort_toggle("status") == "status"
    assert Paging(1, 50, "status").sort_toggle("status") == "-status"


class FakeConnection:
    def __init__(self, rows):
        self.rows, self.calls = rows, []

    async def fetch(self, sql, *args):
        self.calls.append((sql, args))
        limit, offset = args[-2:]
        window = self.rows[offset:offset + limit]
        return [{"n": r, "_total": len(self.rows)} for r in window]

    async def fetchval(self, sql, *args):
        self.calls.append((sql, args))
        return len(self.rows)


async def test_fetch_page_counts_even_past_the_last_page():
    conn = FakeConnection(list(range(12)))
    rows, total = await fetch_page(conn, "n", "FROM t WHERE x = $1", ["a"], SORTING.sql(None), Paging(2, 5))
    assert [r["n"] for r in rows] == [5, 6, 7, 8, 9] and total == 12
    sql, args = conn.calls[0]
    assert "ORDER BY a.received_at DESC" in sql and "LIMIT $2 OFFSET $3" in sql and args == ("a", 5, 5)
    rows, total = await fetch_page(conn, "n", "FROM t WHERE x = $1", ["a"], SORTING.sql(None), Paging(7, 5))
    assert rows == [] and total == 12 and conn.calls[-1][0] == "SELECT count(*) FROM t WHERE x = $1"


def _app() -> FastAPI:
    app = FastAPI()
    install_http_error_handlers(app)

    @app.get("/api/things")
    async def things(paging: Paging = Depends(paging_dependency(SORTING))):
        return {"page": paging.page, "page_size": paging.page_size, "sort": paging.sort}

    @app.get("/things")
    async def page(paging: Paging = Depends(paging_dependency(SORTING, page=True))):
        return {"page": paging.page, "page_size": paging.page_size, "sort": paging.sort}

    return app


async def test_the_dependency_reads_english_on_the_api_and_norwegian_on_pages():
    async with AsyncClient(transport=ASGITransport(app=_app()), base_url="http://t") as c:
        assert (await c.get("/api/things")).json() == {"page": 1, "page_size": 50, "sort": "-received"}
        assert (await c.get("/api/things", params={"page": 2, "page_size": 5, "sort": "status"})).json() == {
            "page": 2, "page_size": 5, "sort": "status"}
        assert (await c.get("/things", params={"side": 3, "per_side": 7, "sorter": "-status"})).json() == {
            "page": 3, "page_size": 7, "sort": "-status"}
        too_big = await c.get("/api/things", params={"page_size": 1000})
        assert too_big.status_code == 422 and too_big.headers["content-type"].startswith("application/problem+json")
        assert too_big.json()["errors"][0]["loc"] == ["query", "page_size"]
        assert (await c.get("/api/things", params={"page": 0})).status_code == 422
        bad_sort = await c.get("/api/things", params={"sort": "a.id; drop"})
        assert bad_sort.status_code == 422 and bad_sort.json()["errors"][0]["loc"] == ["query", "sort"]
        on_page = await c.get("/things", params={"per_side": 1000}, headers={"accept": "text/html"})
        assert on_page.status_code == 422 and "text/html" in on_page.headers["content-type"]
        assert "Adressen til siden inneholder en verdi som ikke kan brukes." in on_page.text


def test_the_pager_macro():
    env = templates().env
    macros = env.from_string('{% import "_paging.html" as p %}{{ p.pager(result, paging, filters) }}'
                             '<table><tr>{{ p.sort_header("Mottatt", "received", paging, filters) }}'
                             '{{ p.sort_header("Status", "status", paging, filters) }}</tr></table>')
    paging = Paging(2, 5, "-received", PAGE_NAMES)
    html = macros.render(result=Page(list(range(5)), 312, 2, 5), paging=paging, filters={"status": "received"})
    assert "Side 2 av 63 · 312 treff" in html
    assert 'href="?status=received&amp;per_side=5&amp;sorter=-received"' in html  # forrige: page 1
    assert 'href="?status=received&amp;per_side=5&amp;sorter=-received&amp;side=3"' in html
    assert 'aria-sort="descending"' in html and html.count("aria-sort") == 1
    assert 'href="?status=received&amp;per_side=5&amp;sorter=status"' in html
    beyond = macros.render(result=Page([], 12, 9, 5), paging=Paging(9, 5, "-received", API_NAMES), filters={})
    assert "Side 9 av 3 · 12 treff" in beyond and "Gå til siste side" in beyond and "Neste side" not in beyond
