"""Hostile input against every operation of the four services' OpenAPI documents: each string field of each
request body, and each query and path parameter, in turn holds a NUL byte, a lone surrogate, control
characters, bidirectional marks or 5,000 characters, in an otherwise plausible request made with a role that may
call the operation; every upload endpoint gets files in odd encodings (XML declaring UTF-7, UTF-32, an unknown
encoding; CSV in UTF-16, with a byte order mark, with NULs). No answer may be a 5xx.

Schemathesis (test_openapi_fuzz.py) generates from the schemas and so never sends these. The plausible
requests use the ids of a household placed through the stack and an invoice for its requisition, so that a
hostile value gets as far into an operation as a well-formed request would."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from urllib.parse import quote

import httpx
import pytest

from kit import clock
from tests.billing.factory import Line, ehf
from tests.billing.test_invoices_through_the_stack import place_household
from tests.conftest import DEMO_PASSWORD, SAMPLE_FNR, eventually, login
from tests.security.test_parsers import EHF_SAMPLES
from tests.security.test_role_matrix import HISTORY_CSV

pytestmark = [pytest.mark.integration]

SERVICES = ("intake", "placement", "billing", "stats")
ROLES = ("veileder-grunerlokka", "leder-grunerlokka", "okonomi", "drift", "admin")
HOSTILE = {
    "NUL": "Kari\x00Nordmann",
    "lone surrogate": "Kari\ud800",
    "C0 controls": "Kari\x01\x08\x1b[2J",
    "DEL and C1 controls": "Kari\x7f\x85\x9b",
    "bidi marks": "\u202eKari\u202c \u2066Nordmann\u2069 \u200f",
    "5,000 characters": ("Kari Nordmann " * 358)[:5000],
}
assert len(HOSTILE["5,000 characters"]) == 5000
# A lone surrogate has no UTF-8 form: in a URL it can only come as the bytes of its CESU-8 form.
SURROGATE_IN_URL = "Kari%ED%A0%80"

_XML = EHF_SAMPLES[0].decode("utf-8")
_XML_BODY = _XML.split("?>", 1)[1] if _XML.startswith("<?xml") else _XML
ODD_XML = {
    "XML declaring UTF-7": ('<?xml version="1.0" encoding="UTF-7"?>' + _XML_BODY).encode("utf-8"),
    "XML in UTF-7": ('<?xml version="1.0" encoding="UTF-7"?>' + _XML_BODY).encode("utf-7"),
    "XML in UTF-32": ('<?xml version="1.0" encoding="UTF-32"?>' + _XML_BODY).encode("utf-32"),
    "XML declaring UTF-32, in UTF-8": ('<?xml version="1.0" encoding="UTF-32"?>' + _XML_BODY).encode("utf-8"),
    "XML declaring an unknown encoding": ('<?xml version="1.0" encoding="x-botilbud-7"?>' + _XML_BODY).encode(),
    "XML in UTF-16 without a declaration": _XML_BODY.encode("utf-16"),
    "XML declaring UTF-8, in Latin-1": ('<?xml version="1.0" encoding="UTF-8"?>' + _XML_BODY).encode("latin-1",
                                                                                                      "replace"),
    "XML with a NUL": EHF_SAMPLES[0].replace(b"<cbc:ID>", b"<cbc:ID>\x00", 1),
}


def odd_csv(text: str) -> dict[str, bytes]:
    return {
        "CSV in UTF-16": text.encode("utf-16"),
        "CSV in UTF-16 without a BOM": text.encode("utf-16-le"),
        "CSV in UTF-32": text.encode("utf-32"),
        "CSV with a UTF-8 BOM": b"\xef\xbb\xbf" + text.encode(),
        "CSV with NULs": text.replace(",", ",\x00").replace(";", ";\x00").encode(),
        "CSV in Latin-1": text.encode("latin-1", "replace"),
        "CSV with a lone surrogate": text.encode("utf-8", "surrogatepass").replace(b"\n", "\ud800\n".encode(
            "utf-8", "surrogatepass"), 1),
        "CSV with control characters": text.replace("\n", "\x0b\x1b\n", 1).encode(),
    }


@dataclass
class Known:
    """Real ids and values for plausible requests, by parameter or field name."""

    ids: dict[str, str]
    today: date = field(default_factory=lambda: clock.today())

    def string(self, name: str, schema: dict) -> str:
        fmt = schema.get("format")
        if name in self.ids:
            return self.ids[name]
        if fmt == "uuid":
            return str(uuid.uuid4())
        if fmt == "date-time":
            return datetime.now(UTC).isoformat()
        if fmt == "date" or name.endswith(("_on", "_from", "check_in", "check_out", "next_due")):
            later = name.endswith(("_to", "next_due"))
            return str(self.today + timedelta(days=60 if later else 0))
        return {"identity_number": SAMPLE_FNR, "office_id": "nav-grunerlokka", "municipality": "0301",
                "orgnr": "923609016", "provider_org_number": "923609016", "name": "Kari Nordmann",
                "purpose": "Saksbehandling", "phone": "91234567", "legal_basis": "Sosialtjenesteloven § 27",
                "reason": "Mangler opplysninger", "comment": "Sjekket", "destination": "private_rental",
                "since": str(self.today - timedelta(days=30)), "until": str(self.today)}.get(name, "tekst")


def resolve(doc: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def example(doc: dict, schema: dict, known: Known, name: str = ""):
    """A plausible value of a schema: every property (optional ones too, so each string field is there to
    be made hostile), one item per array, the first enum value, a known id for a known name."""
    schema = resolve(doc, schema)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if resolve(doc, s).get("type") != "null"]
            return example(doc, options[0], known, name) if options else None
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {key: example(doc, sub, known, key) for key, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [example(doc, schema["items"], known, name)] if schema.get("items") else []
    if schema.get("default") is not None:
        return schema["default"]
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1)
    if kind == "number":
        return 100
    if kind == "boolean":
        return False
    return known.string(name, schema)


def string_paths(value, path=()):
    """Every string leaf of a JSON value, as a path of keys and indexes."""
    if isinstance(value, str):
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from string_paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from string_paths(item, (*path, i))


def replaced(value, path, new):
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = replaced(value[path[0]], path[1:], new)
    return copy


def in_url(value: str) -> str:
    return SURROGATE_IN_URL if value == HOSTILE["lone surrogate"] else quote(value, safe="")


@dataclass
class Operation:
    service: str
    method: str
    path: str
    params: list[dict]
    body_type: str | None
    body: object = None

    @property
    def name(self) -> str:
        return f"{self.method} /{self.service}{self.path}"

    def url(self, known: Known, hostile: tuple[str, str] | None = None) -> str:
        """The operation's URL with plausible parameters (the required query ones), one of them hostile."""
        path, query = f"/{self.service}{self.path}", []
        for p in self.params:
            schema, name = p.get("schema", {}), p["name"]
            hostile_here = hostile is not None and hostile[0] == f"{p['in']}.{name}"
            if p["in"] == "path":
                value = in_url(hostile[1]) if hostile_here else quote(str(self.plain(known, name, schema)), safe="")
                path = path.replace("{" + name + "}", value)
            elif p["in"] == "query" and (hostile_here or p.get("required")):
                value = in_url(hostile[1]) if hostile_here else quote(str(self.plain(known, name, schema)), safe="")
                query.append(f"{name}={value}")
        return path + ("?" + "&".join(query) if query else "")

    def plain(self, known: Known, name: str, schema: dict):
        value = example(self.doc, schema, known, name)
        return str(value).lower() if isinstance(value, bool) else value

    doc: dict = field(default_factory=dict)


def operations(docs: dict[str, dict], known: Known) -> list[Operation]:
    found = []
    for service in SERVICES:
        doc = docs[service]
        for path, methods in doc["paths"].items():
            for method, spec in methods.items():
                content = spec.get("requestBody", {}).get("content", {})
                body_type = next(iter(content), None)
                op = Operation(service, method.upper(), path, spec.get("parameters", []), body_type, doc=doc)
                if body_type == "application/json":
                    op.body = example(doc, content[body_type].get("schema", {}), known)
                found.append(op)
    return found


@dataclass
class Results:
    tried: Counter = field(default_factory=Counter)
    plausible: dict[str, int] = field(default_factory=dict)
    """The status of each operation's plausible request: how far a hostile value in it can get."""
    failures: list[str] = field(default_factory=list)

    def record(self, op: str, where: str, what: str, response: httpx.Response | Exception) -> None:
        self.tried[op] += 1
        if isinstance(response, Exception):
            self.failures.append(f"{op} {where} = {what}: no answer ({type(response).__name__})")
        elif response.status_code >= 500:
            self.failures.append(f"{op} {where} = {what}: {response.status_code} {response.text[:160]}")


async def send(client: httpx.AsyncClient, op: Operation, url: str, headers: dict, body=None, *,
               content: bytes | None = None, content_type: str | None = None) -> httpx.Response | Exception:
    if content is None and op.body_type == "application/json":
        content = json.dumps(op.body if body is None else body).encode()  # ASCII: a surrogate as \ud800
        content_type = "application/json"
    elif content is None and op.body_type:
        content, content_type = baseline_upload(op).encode() if op.body_type == "text/csv" else \
            BASELINE_UPLOADS[op.body_type], op.body_type
    try:
        return await client.request(op.method, url, content=content, headers={
            **headers, **({"content-type": content_type} if content_type else {})})
    except httpx.HTTPError as exc:
        return exc


BASELINE_UPLOADS = {"text/csv": HISTORY_CSV.encode(), "application/xml": EHF_SAMPLES[0]}
OFFICES_CSV = ("office,municipality,district,second_approval,address,phone,email\n"
               "Nav Sagene,0301,Sagene,no,\"Arendalsgata 1, 0463 Oslo\",55553333,bolig.sagene@nav.example\n")


def baseline_upload(op: Operation) -> str:
    """A well-formed file for the upload: the offices file for intake's import, else the stay history."""
    return OFFICES_CSV if op.path.endswith("/offices/import") else HISTORY_CSV


async def known_ids(client: httpx.AsyncClient) -> dict[str, str]:
    """A household placed through intake and placement, its requisition, and an invoice for it."""
    today = clock.today()
    check_in = today - timedelta(days=10)
    worker, stay, unit = await place_household(client, check_in, today)
    finance = await login(client, "okonomi")

    async def requisition():
        r = await client.get("/billing/api/requisitions", headers=finance, params={"stay_id": stay["stay_id"]})
        return r.json()["items"]
    [req] = await eventually(requisition)
    invoice = ehf(number=f"F-{uuid.uuid4().hex[:6]}", supplier_orgnr=req["provider_orgnr"],
                  order_reference=req["number"],
                  lines=[Line(check_in, check_in + timedelta(days=2), Decimal(str(req["price_per_night"])))])
    uploaded = await client.post("/billing/api/invoices", content=invoice,
                                 headers={**finance, "content-type": "application/xml"})
    assert uploaded.status_code == 201, uploaded.text
    # An application not yet decided, so that a decision's fields get as far as a well-formed decision's.
    undecided = await client.post("/intake/api/applications", headers=worker, json={
        "identity_number": SAMPLE_FNR, "name": "Kari Nordmann", "office_id": "nav-grunerlokka"})
    assert undecided.status_code == 201, undecided.text
    reports = (await client.get("/stats/api/reports", headers=await login(client, "drift"))).json()
    return {"stay_id": stay["stay_id"], "decision_id": stay["decision_id"], "unit_id": unit["unit_id"],
            "provider_id": unit["provider_id"], "household_id": stay["household_id"],
            "application_id": undecided.json()["application_id"], "number": req["number"],
            "invoice_id": uploaded.json()["invoices"][0]["invoice_id"], "key": reports[0]["key"]}


async def role_for(client: httpx.AsyncClient, op: Operation, known: Known, tokens: dict) -> tuple[dict, int]:
    """The first role whose plausible request is not refused for its role (401/403), and that request's status."""
    status = 0
    for role in ROLES:
        r = await send(client, op, op.url(known), tokens[role])
        status = r.status_code if not isinstance(r, Exception) else 0
        if status not in (0, 401, 403):
            return tokens[role], status
    return tokens["admin"], status


async def test_no_hostile_value_in_any_field_or_parameter_gives_a_5xx(stack):
    results = Results()
    async with httpx.AsyncClient(base_url=stack.url, timeout=60) as client:
        tokens = {role: await login(client, role) for role in ROLES}
        known = Known(await known_ids(client))
        docs = {s: (await client.get(f"/{s}/openapi.json")).json() for s in SERVICES}
        ops = operations(docs, known)
        for op in ops:
            headers, results.plausible[op.name] = await role_for(client, op, known, tokens)
            for p in op.params:
                where = f"{p['in']}.{p['name']}"
                for what, value in HOSTILE.items():
                    results.record(op.name, where, what, await send(client, op, op.url(known, (where, value)),
                                                                    headers))
            if op.body_type == "application/json":
                for path in string_paths(op.body):
                    where = "body." + ".".join(str(p) for p in path)
                    for what, value in HOSTILE.items():
                        results.record(op.name, where, what, await send(client, op, op.url(known), headers,
                                                                        replaced(op.body, path, value)))
            elif op.body_type in ("text/csv", "application/xml"):
                for what, data in {**odd_csv(baseline_upload(op)), **ODD_XML}.items():
                    content_type = "application/xml" if what.startswith("XML") else "text/csv"
                    results.record(op.name, "body", what, await send(
                        client, op, op.url(known), headers, content=data, content_type=content_type))
        # The upload page (a form, not in the OpenAPI document) and the login itself.
        finance = tokens["okonomi"]
        for what, data in {**odd_csv(HISTORY_CSV), **ODD_XML}.items():
            filename = "faktura.xml" if what.startswith("XML") else "faktura.csv"
            try:
                r = await client.post("/billing/invoices", headers=finance, files={"document": (filename, data)})
            except httpx.HTTPError as exc:
                r = exc
            results.record("POST /billing/invoices (page)", "document", what, r)
        for what, value in HOSTILE.items():
            for path in ("/api/token", "/login"):
                for field_name in ("username", "password"):
                    form = {"username": "veileder-grunerlokka", "password": DEMO_PASSWORD, field_name: value}
                    content = "&".join(f"{k}={in_url(v)}" for k, v in form.items()).encode()
                    try:
                        r = await client.post(path, content=content, headers={
                            **finance, "content-type": "application/x-www-form-urlencoded"})
                    except httpx.HTTPError as exc:
                        r = exc
                    results.record(f"POST {path}", f"body.{field_name}", what, r)
        assert (await client.get("/readyz")).status_code == 200  # and the stack is still well
    print(f"hostile input: {len(ops)} operations (+ the upload page and the two logins), "
          f"{sum(results.tried.values())} requests, {len(results.failures)} answered 5xx")
    for op, n in sorted(results.tried.items()):
        print(f"  {n:4d}  {op}  (plausible request: {results.plausible.get(op, '-')})")
    assert len(ops) >= 41
    assert not results.failures, f"{len(results.failures)} answers were 5xx:\n" + "\n".join(results.failures)
