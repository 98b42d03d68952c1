"""With the standard OTLP variable set (as deploy/botilbud.env.example sets it for Tempo), a service exports
its spans over OTLP/HTTP; here to a receiver on this machine that decodes what arrives."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from botilbud.stack import definitions
from kit.auth import UserDirectory
from kit.runtime import Runtime
from tests.conftest import login

pytestmark = pytest.mark.integration


@pytest.fixture
def otlp_receiver():
    received: list[ExportTraceServiceRequest] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if self.path == "/v1/traces" and self.headers["Content-Type"] == "application/x-protobuf":
                received.append(ExportTraceServiceRequest.FromString(body))
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.end_headers()

        def log_message(self, *_args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()
    server.server_close()


async def test_a_service_exports_its_spans_over_otlp_when_an_endpoint_is_configured(settings, otlp_receiver,
                                                                                     monkeypatch):
    endpoint, received = otlp_receiver
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
    monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
    runtime = Runtime(settings, definitions("intake"), bootstrap=settings.kafka_bootstrap,
                      users=UserDirectory.load(settings.users_file), secret=settings.secret_key.get_secret_value())
    assert runtime.tracing.enabled
    await runtime.start()
    try:
        async with httpx.AsyncClient(base_url=runtime.url, timeout=30) as client:
            worker = await login(client, "veileder-grunerlokka")
            assert (await client.get("/intake/api/applications", headers=worker)).status_code == 200
    finally:
        await runtime.stop()  # flushes what is still buffered
    names = {span.name for request in received for resource in request.resource_spans
             for scope in resource.scope_spans for span in scope.spans}
    assert {"POST /api/token", "GET /intake/api/applications"} <= names, sorted(names)
    services = {attribute.value.string_value for request in received for resource in request.resource_spans
                for attribute in resource.resource.attributes if attribute.key == "service.name"}
    assert services == {"botilbud-intake"}
