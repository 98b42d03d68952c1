"""The running system's logs, every logger at DEBUG, while a case worker's requests with a person's name and
identity number fail in every way a request can (and one succeeds): no line holds the name or the number.
The kit's own error paths (unexpected exceptions quoting input, tracebacks) are tested in
tests/unit/test_logging.py."""

import io
import json
import logging

import httpx
import pytest

from kit.logging import configure_logging
from tests.conftest import login

pytestmark = [pytest.mark.integration]

NAME, NUMBER = "Ragnhild Tvedestrand", "01056000069"  # a valid fødselsnummer (python-stdnum's test set)


@pytest.fixture
def captured_logs():
    configure_logging("DEBUG", json=True)
    stream = io.StringIO()
    logging.getLogger().handlers[0].setStream(stream)
    try:
        yield stream
    finally:
        configure_logging("INFO", json=True)


def application(**fields) -> dict:
    return {"identity_number": NUMBER, "name": NAME, "office_id": "nav-grunerlokka", **fields}


async def test_failing_requests_with_personal_data_leave_none_in_the_logs(stack, captured_logs):
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        worker = await login(client, "veileder-grunerlokka")
        api = {**worker, "content-type": "application/json"}
        bodies = [
            json.dumps(application(name=f"{NAME}\ud800")),  # a lone surrogate
            json.dumps(application(notes=f"{NAME} {NUMBER}\x00")),  # NUL in free text
            json.dumps(application())[:-3],  # invalid JSON
            json.dumps(application(identity_number=f"{NUMBER}{NAME}")),  # too long
            json.dumps(application(identity_number=NUMBER[:-1] + "0")),  # a wrong check digit
            json.dumps(application(name=NAME * 300)),  # 6,000 characters
            json.dumps(application(children_birth_dates=[NAME])),
            json.dumps(application(office_id=NAME)),
        ]
        for body in bodies:
            r = await client.post("/intake/api/applications", headers=api, content=body)
            assert 400 <= r.status_code < 500, r.text
        lookup = await client.post("/intake/api/households/lookup", headers=api,
                                   content=json.dumps({"identity_number": NUMBER + "9", "purpose": NAME}))
        assert 400 <= lookup.status_code < 500
        for form in ({"name": f"{NAME}\x00", "identity_number": NUMBER},
                     {"name": NAME, "identity_number": NUMBER[:-1] + "0", "office_id": "nav-grunerlokka"}):
            page = await client.post("/intake/applications/new", headers=worker, data=form)
            assert 400 <= page.status_code < 500, page.text[:300]
        ok = await client.post("/intake/api/applications", headers=api, content=json.dumps(application()))
        assert ok.status_code == 201, ok.text
    logged = captured_logs.getvalue()
    assert logged.count("\n") > 20  # DEBUG lines of the requests were there to be scanned
    for secret in (NAME, NUMBER, *NAME.split()):
        assert secret not in logged, [line for line in logged.splitlines() if secret in line][:3]
