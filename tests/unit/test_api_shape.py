"""The shape every service's HTTP API keeps (issue 13): its routes are module-level routers in
`entrypoints/api/`, and every one says what it answers — a response model, or for a download the media type of
the file it sends."""

import importlib
import pkgutil

import pytest
from fastapi import APIRouter
from fastapi.routing import APIRoute

SERVICES = ("intake", "placement", "billing", "stats")


def api_routes(service: str) -> list[APIRoute]:
    package = importlib.import_module(f"services.{service}.entrypoints.api")
    routes = []
    for info in pkgutil.iter_modules(package.__path__):
        router = getattr(importlib.import_module(f"{package.__name__}.{info.name}"), "router", None)
        assert isinstance(router, APIRouter), f"{service}.{info.name} has no module-level router"
        routes += [r for r in router.routes if isinstance(r, APIRoute)]
    return routes


@pytest.mark.parametrize("service", SERVICES)
def test_every_api_route_says_what_it_answers(service):
    routes = api_routes(service)
    assert routes
    unsaid = [f"{sorted(r.methods)} {r.path}" for r in routes
              if r.response_model is None and not any(
                  media != "application/json" for media in r.responses.get(200, {}).get("content", {}))]
    assert not unsaid, f"{service}: no response model and no documented file type: {unsaid}"
