"""The form pages over plain HTTP: each error stands next to its field, what was typed comes back, and nothing
is written; a time typed in the form is Norwegian local time."""

import re
from datetime import timedelta

import httpx
import pytest

from tests.conftest import login
from tests.intake.helpers import TODAY, count_rows, number

pytestmark = [pytest.mark.integration]


def field_error(html: str, field: str) -> str | None:
    match = re.search(rf'id="{field}-error">([^<]*)<', html)
    return match.group(1) if match else None


async def test_application_form_errors_are_next_to_the_field_and_keep_the_input(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        worker = await login(client, "veileder-asker")
        before = await count_rows(stack)
        form = {"identity_number": "15108695077", "name": "", "adults": "x", "phone": "98765432",
                "received_at": str(TODAY + timedelta(days=3)) + "T10:00", "channel": "phone",
                "notes": "Må ha plass i kveld", "children_birth_dates": "01.01.2020, 2019-13-01"}
        r = await client.post("/intake/applications/new", headers=worker, data=form)
        assert r.status_code == 422
        html = r.text
        assert field_error(html, "name") == "Må fylles ut."
        assert field_error(html, "adults") == "Må være et helt tall."
        assert "2019-13-01" in field_error(html, "children_birth_dates")
        assert 'value="98765432"' in html and "Må ha plass i kveld" in html and 'value="phone" selected' in html
        assert await count_rows(stack) == before

        # Fixed, but the number's check digits are wrong, then the time lies in the future.
        form.update(name="Åse Skjema", adults="2", children_birth_dates="01.01.2020")
        r = await client.post("/intake/applications/new", headers=worker, data=form)
        assert r.status_code == 422 and "Kontrollsifrene" in field_error(r.text, "identity_number")
        form["identity_number"] = number(401)
        r = await client.post("/intake/applications/new", headers=worker, data=form)
        assert r.status_code == 422 and field_error(r.text, "received_at") == "Mottakstidspunktet ligger fram i tid."
        assert await count_rows(stack) == before

        form["received_at"] = f"{TODAY - timedelta(days=1)}T23:30"
        r = await client.post("/intake/applications/new", headers=worker, data=form, follow_redirects=False)
        assert r.status_code == 303
        application_id = r.headers["location"].rsplit("/", 1)[1]
        case = (await client.get(f"/intake/api/applications/{application_id}?purpose=test", headers=worker)).json()
        # 23:30 in Oslo is 22:30 or 21:30 UTC (winter or summer time).
        assert case["application"]["received_at"][11:16] in ("22:30", "21:30")
        assert case["household"]["children_birth_dates"] == ["2020-01-01"]


async def test_decision_form_errors_and_a_refusal(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        worker = await login(client, "veileder-asker")
        r = await client.post("/intake/applications/new", headers=worker, follow_redirects=False,
                              data={"identity_number": number(402), "name": "Odd Vedtak", "adults": "1"})
        url = r.headers["location"].removeprefix("/intake")
        r = await client.post(f"/intake{url}/decision", headers=worker, data={"legal_basis": "§ 27"})
        assert r.status_code == 422 and field_error(r.text, "outcome") == "Må fylles ut."
        r = await client.post(f"/intake{url}/decision", headers=worker,
                              data={"outcome": "refused", "legal_basis": "§ 27", "period_from": "2026-02-30"})
        assert r.status_code == 422 and field_error(r.text, "period_from") == "Ugyldig dato."
        r = await client.post(f"/intake{url}/decision", headers=worker,
                              data={"outcome": "refused", "legal_basis": "§ 27"})
        assert r.status_code == 422 and field_error(r.text, "refusal_reason") == "Et avslag må begrunnes."
        assert 'value="refused" checked' in r.text
        r = await client.post(f"/intake{url}/decision", headers=worker, follow_redirects=True,
                              data={"outcome": "refused", "legal_basis": "§ 27",
                                    "refusal_reason": "Har et annet tilbud."})
        assert r.status_code == 200
        assert "Avslag – Gjelder" in r.text and "Har et annet tilbud." in r.text and "tre uker" in r.text
