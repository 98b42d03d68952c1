"""Each service's API docs: Swagger UI from the kit's own files (no CDN, no inline script, so the site's CSP lets it
run), and an OpenAPI document that says how to authenticate. In the browser: tests/e2e/test_kit_pages_browser.py."""

import json
import re
from pathlib import Path

from kit.api_docs import SWAGGER_UI
from tests.unit.toy_service import client, root_app

STATIC = Path(__file__).resolve().parents[2] / "kit" / "static"


async def test_docs_page_loads_swagger_ui_from_the_site_with_no_inline_script(tmp_path):
    async with client(root_app(tmp_path), logged_in=False) as c:
        page = await c.get("/toy/docs")
        sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assets = [await c.get(s) for s in sources]
    assert page.status_code == 200
    assert sources and all(s.startswith("/static/") for s in sources), sources
    assert all(a.status_code == 200 for a in assets)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.text), "an inline script: the CSP blocks it"
    assert 'data-openapi-url="/toy/openapi.json"' in page.text


async def test_fastapis_cdn_docs_are_gone(tmp_path):
    async with client(root_app(tmp_path), logged_in=False) as c:
        assert (await c.get("/toy/redoc")).status_code == 404
        assert "cdn" not in (await c.get("/toy/docs")).text


async def test_openapi_says_how_to_authenticate(tmp_path):
    async with client(root_app(tmp_path), logged_in=False) as c:
        doc = (await c.get("/toy/openapi.json")).json()
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearer"] == {"type": "http", "scheme": "bearer", "description": schemes["bearer"]["description"]}
    assert "/api/token" in schemes["bearer"]["description"]
    assert schemes["password"]["flows"]["password"]["tokenUrl"] == "/api/token"
    # Every operation of the toy needs a user: each names both ways to send a token.
    operations = [op for path in doc["paths"].values() for op in path.values()]
    assert operations and all(op["security"] == [{"bearer": []}, {"password": []}] for op in operations)


def test_vendored_assets_are_pinned_with_their_licence():
    manifest = json.loads((STATIC / "vendored.json").read_text(encoding="utf-8"))
    entry = manifest["swagger-ui-dist"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", entry["version"])
    folder = STATIC / SWAGGER_UI.rsplit("/", 1)[1]
    assert sorted(p.name for p in folder.iterdir()) == sorted(entry["files"])
    assert "Apache License" in (folder / "LICENSE").read_text(encoding="utf-8")
