"""Schemathesis against every service's OpenAPI: generated requests (valid and invalid) for every operation,
sent with a bearer token of a role that may use the service. No answer may be a 5xx, and every answer must
match the schema and the content type the OpenAPI document promises."""

import asyncio

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance

from tests.conftest import login

pytestmark = [pytest.mark.integration, pytest.mark.http_only]

EXAMPLES_PER_OPERATION = 25
ROLE_FOR = {"intake": "veileder-grunerlokka", "placement": "leder-grunerlokka", "billing": "okonomi",
            "stats": "drift"}
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def fuzz(raw: dict, base_url: str, headers: dict) -> tuple[int, int, list[str]]:
    """Runs in a worker thread (schemathesis calls synchronously; the stack serves on the test's loop)."""
    schema = schemathesis.openapi.from_dict(raw)
    tried, operations, failures = 0, 0, []
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            nonlocal tried
            tried += 1
            response = case.call(base_url=base_url, headers=headers, timeout=60)
            case.validate_response(response, checks=CHECKS)

        try:
            check()
        except Exception as exc:  # a FailureGroup naming the request and what was wrong
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:3000])
    return tried, operations, failures


@pytest.mark.parametrize("service", sorted(ROLE_FOR))
async def test_no_5xx_and_answers_follow_the_schema(stack, service):
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        raw = (await client.get(f"/{service}/openapi.json")).json()
        headers = await login(client, ROLE_FOR[service])
    tried, operations, failures = await asyncio.to_thread(fuzz, raw, f"{stack.url}/{service}", headers)
    print(f"schemathesis {service}: {operations} operations, {tried} examples")
    assert not failures, "\n\n".join(failures)
    assert operations >= 4 and tried >= operations * 5
