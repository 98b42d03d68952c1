"""The kit's input guard: a lone surrogate, a NUL byte or another control character (not tab, line feed, carriage
return) in a JSON body, a form field, a query parameter or the path is refused with a 422 naming where, before
the service sees it; everything else passes untouched."""

import json

import pytest

from tests.unit.toy_service import client, root_app

REFUSED = {"NUL": "Kari\x00Nordmann", "a lone surrogate": "Kari\ud800", "escape": "\x1b[2J", "bell": "a\x07",
           "DEL": "a\x7f", "a C1 control": "a\x85b", "a low surrogate": "\udc00"}
ALLOWED = {"tab, line feed, carriage return": "a\tb\nc\r\nd", "right-to-left override": "\u202eKari",
           "Norwegian letters": "Ærlig Øystein Ås", "emoji": "🏠", "a zero-width joiner": "a\u200db",
           "noncharacter": "\ufffe", "an escaped backslash before u": "C:\\\\u0000"}


def person(**fields) -> bytes:
    return json.dumps({"name": "Kari Nordmann", "identity_number": "15108695088", **fields}).encode()


@pytest.mark.parametrize("value", REFUSED.values(), ids=REFUSED.keys())
async def test_a_refused_character_in_a_json_string_is_a_422_naming_the_field(tmp_path, value):
    async with client(root_app(tmp_path)) as c:
        r = await c.post("/toy/api/people", content=person(name=value), headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["errors"][0]["loc"] == ["body", "name"] and problem["errors"][0]["type"] == "forbidden_character"
    assert problem["detail"].startswith("body.name: ")
    assert "Kari" not in r.text  # the input is never echoed


@pytest.mark.parametrize("value", ALLOWED.values(), ids=ALLOWED.keys())
async def test_text_that_can_be_stored_passes(tmp_path, value):
    async with client(root_app(tmp_path)) as c:
        r = await c.post("/toy/api/people", content=person(name=value), headers={"content-type": "application/json"})
        assert r.status_code == 200, r.text
        assert (await c.get("/toy/api/search", params={"district": value[:50]})).status_code == 200


async def test_nested_fields_keys_and_a_body_without_content_type_are_checked(tmp_path):
    async with client(root_app(tmp_path)) as c:
        nested = await c.post("/toy/api/people", content=person(children=["ok", "Per\x00"]))
        assert nested.status_code == 422 and nested.json()["errors"][0]["loc"] == ["body", "children", 1]
        key = await c.post("/toy/api/people", content=b'{"name": "a", "identity_number": "1", "x\\u0000y": 1}',
                           headers={"content-type": "application/json"})
        assert key.status_code == 422 and key.json()["errors"][0]["loc"] == ["body", "x\ufffdy"]
        two = await c.post("/toy/api/people", content=person(name="\x01", identity_number="\x02"),
                           headers={"content-type": "application/merge-patch+json"})
        assert [e["loc"] for e in two.json()["errors"]] == [["body", "name"], ["body", "identity_number"]]


async def test_query_parameters_and_the_path_are_checked(tmp_path):
    async with client(root_app(tmp_path)) as c:
        query = await c.get("/toy/api/search", params={"district": "Gamle\x00Oslo"})
        assert query.status_code == 422 and query.json()["errors"][0]["loc"] == ["query", "district"]
        assert query.json()["detail"].startswith("query.district: ")
        path = await c.get("/toy/api/people%00")
        assert path.status_code == 422 and path.json()["errors"][0]["loc"] == ["path"]


async def test_a_page_form_gets_a_norwegian_page(tmp_path):
    async with client(root_app(tmp_path)) as c:
        urlencoded = await c.post("/toy/people", data={"name": "Kari\x0bNordmann"})
        multipart = await c.post("/toy/people", data={"name": "Kari\x00"}, files={"f": ("a.csv", b"\x00\x01")})
        file_only = await c.post("/toy/people", data={"name": "Kari"}, files={"f": ("a.csv", b"\x00\x01")})
    for page in (urlencoded, multipart):
        assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
        assert "Opplysningene kan ikke brukes" in page.text and "body.name" in page.text
    assert file_only.status_code == 200  # what an uploaded file holds is the receiving service's business


async def test_what_is_not_json_or_a_form_passes_to_the_service(tmp_path):
    async with client(root_app(tmp_path)) as c:
        broken = await c.post("/toy/api/people", content=b'{"name": "\\u0000',
                              headers={"content-type": "application/json"})
        assert broken.status_code == 422 and broken.json()["errors"][0]["type"] == "json_invalid"  # FastAPI's own
        csv = await c.post("/toy/api/people", content=b"a;b\x00\n", headers={"content-type": "text/csv"})
        assert csv.status_code == 422 and csv.json()["errors"][0]["type"] != "forbidden_character"


async def test_the_openapi_document_says_a_422_is_a_problem(tmp_path):
    async with client(root_app(tmp_path)) as c:
        doc = (await c.get("/toy/openapi.json")).json()
    refused = doc["paths"]["/api/people"]["post"]["responses"]["422"]["content"]
    assert refused["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
    problem = doc["components"]["schemas"]["Problem"]
    assert {"title", "status", "detail"} <= set(problem["required"]) and "errors" in problem["properties"]
    assert doc["components"]["schemas"]["FieldProblem"]["properties"]["loc"]
