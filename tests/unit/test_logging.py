"""No log line, at any level, holds a request body or a validation error's input, and an error's line carries
its real traceback. Bodies with personal data fail in different ways on the kit's real root app, with every
logger at DEBUG, and everything logged is scanned."""

import io
import json
import logging

import pytest

from kit.logging import configure_logging, format_exception, get_logger
from tests.unit.toy_service import client, root_app

NAME, NUMBER = "Ragnhild Tvedestrand", "15108695088"


@pytest.fixture
def log_lines():
    """Everything the process logs at DEBUG, as JSON lines (as in production)."""
    configure_logging("DEBUG", json=True)
    stream = io.StringIO()
    logging.getLogger().handlers[0].setStream(stream)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        configure_logging("INFO", json=True)


def body(**fields) -> bytes:
    return json.dumps({"name": NAME, "identity_number": NUMBER, **fields}).encode()


FAILING = [  # path, body, the status a user sees
    ("/toy/api/people", body(name=f"{NAME}\ud800"), 422),  # a lone surrogate
    ("/toy/api/people", body()[:-5], 422),  # invalid JSON
    ("/toy/api/people", body(identity_number=NUMBER * 2), 422),  # a validation error
    ("/toy/api/people", body(children=[NAME] * 11), 422),
    ("/toy/api/people/parse", body(), 500),  # unexpected exceptions quoting the input
    ("/toy/api/people/inner", body(), 500),
    ("/toy/api/people/store", body(), 500),
]


async def test_failing_requests_leave_no_personal_data_in_any_log_line(tmp_path, log_lines):
    async with client(root_app(tmp_path)) as c:
        for path, content, status in FAILING:
            r = await c.post(path, content=content, headers={"content-type": "application/json"})
            assert r.status_code == status, (path, r.text)
            assert NAME not in r.text and NUMBER not in r.text
        form = await c.post("/toy/people", data={"name": f"{NAME}\x00{NUMBER}"})
        assert form.status_code == 422
    lines = log_lines()
    assert len([line for line in lines if line["event"] == "request_failed"]) == 3  # each error logged once
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    for secret in (NAME, NUMBER, *NAME.split()):
        assert secret not in text


async def test_an_error_line_carries_its_traceback(tmp_path, log_lines):
    async with client(root_app(tmp_path)) as c:
        assert (await c.post("/toy/api/people/parse", content=body(),
                             headers={"content-type": "application/json"})).status_code == 500
    [failed] = [line for line in log_lines() if line["event"] == "request_failed"]
    assert failed["level"] == "error" and "exc_info" not in failed
    trace = failed["exception"]
    assert trace.startswith("Traceback (most recent call last):")
    assert 'toy_service.py", line' in trace and "in parse" in trace and "int(person.name)" in trace
    assert trace.rstrip().endswith("ValueError: (message withheld: it may quote the input)")


def test_the_traceback_keeps_the_chain_and_the_messages_that_quote_nothing():
    try:
        try:
            raise ConnectionRefusedError("connect to 10.0.0.5:5432 refused")
        except OSError as exc:
            raise RuntimeError("the database does not answer") from exc
    except RuntimeError as exc:
        trace = format_exception(exc)
    assert "ConnectionRefusedError: connect to 10.0.0.5:5432 refused" in trace
    assert "The above exception was the direct cause" in trace
    assert trace.rstrip().endswith("RuntimeError: the database does not answer")


def test_exceptions_logged_as_values_or_from_libraries_are_rendered_safely(log_lines):
    log = get_logger("kit.tests")
    try:
        f"{NAME}\ud800".encode()
    except UnicodeEncodeError as exc:
        log.warning("odd", error=exc)  # a UnicodeError's repr holds the whole text
        logging.getLogger("uvicorn.error").error("Exception in ASGI application", exc_info=exc)
    try:
        {}[NUMBER]
    except KeyError:
        log.exception("lookup")  # exc_info=True
    lines = log_lines()
    assert NAME not in json.dumps(lines) and NUMBER not in json.dumps(lines)
    assert lines[0]["error"].startswith("UnicodeEncodeError: 'utf-8' codec can't encode character")
    assert lines[1]["exception"].startswith("Traceback") and "UnicodeEncodeError" in lines[1]["exception"]
    assert lines[2]["exception"].rstrip().endswith("KeyError: (message withheld: it may quote the input)")
