"""After a run through the whole stack, no identity number or name is found in clear in any service's
database (every table, every column, bytes included), in any event on the broker (values and headers), or
in the logs. The run goes past intake: the households are placed and extended, placement's and billing's pages
show who they are (intake's people lookup), billing sends the requisitions with the guests' names to a real
mail server, the decision letters are downloaded, the households are found by name and their case pages and
the leader's queue opened — and still placement, billing and stats keep no name."""

import json
import logging
from datetime import date, timedelta

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from botilbud.settings import SERVICES
from contracts import ALL_TOPICS
from contracts.topics import dead_letter_topic
from services.intake.domain.identity import synthetic_identity_number
from tests.conftest import eventually, login
from tests.intake.helpers import TODAY, application, granted, number
from tests.placement.helpers import extend_in_intake, orgnr

pytestmark = [pytest.mark.integration]

NAMES = ["Gunnhild Hemmeligsen", "Torbjorn Skjultvik", "Ragnhild Formdottir"]


class Collect(logging.Handler):
    """Every log record, rendered by the root handler's formatter (the JSON log line)."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        root = logging.getLogger().handlers
        self.setFormatter(root[0].formatter if root else logging.Formatter())

    def emit(self, record):
        try:
            self.lines.append(self.format(record))
        except Exception:  # a line that cannot be formatted is kept raw
            self.lines.append(f"{record.getMessage()} {record.args!r}")


@pytest.fixture
def log_lines():
    handler = Collect()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler.lines
    finally:
        root.removeHandler(handler)


def needles(numbers: list[str]) -> list[str]:
    found = []
    for n in numbers:
        found += [n, f"{n[:6]} {n[6:]}", f"{n[:6]}-{n[6:]}"]
    for name in NAMES:
        found += [name, *name.split()]
    return found


def _scan_text(text: str, where: str, words: list[str], hits: list[str]) -> None:
    lowered = text.lower()
    hits += [f"{w!r} in {where}" for w in words if w.lower() in lowered]


async def placed_and_shown(client: httpx.AsyncClient, worker: dict, decisions: list[str], mail_server) -> None:
    """The households placed, one extended; every page that shows who they are, opened; the requisitions sent
    (with the names, to the mail server) and the decision letters downloaded."""
    leader = await login(client, "leder-grunerlokka")
    provider = await client.post("/placement/api/providers", headers=leader, json={
        "name": "Skanneveien familiebolig", "orgnr": orgnr(), "kind": "non_profit", "municipality": "0301",
        "district": "Grünerløkka", "address": "Skanneveien 2, 0555 Oslo", "email": "booking@skanneveien.example",
        "agreement": {"kind": "framework", "price_per_night": "900", "target_groups": ["families"]}})
    assert provider.status_code == 201, provider.text
    units = []
    for name in ("Leilighet 1", "Leilighet 2"):
        r = await client.post(f"/placement/api/providers/{provider.json()['provider_id']}/units", headers=leader,
                              json={"name": name, "beds": 4, "facilities": {
                                  "own_bath": True, "kitchen": "own", "laundry": True, "visits_allowed": True}})
        assert r.status_code == 201, r.text
        units.append(r.json()["unit_id"])
    stays = []
    for decision, unit in zip(decisions, units, strict=True):
        r = await client.post("/placement/api/stays", headers=worker, json={
            "decision_id": decision, "unit_id": unit, "check_in": str(TODAY)})
        assert r.status_code == 201, r.text
        stays.append(r.json()["stay_id"])
    await extend_in_intake(client, worker, decisions[0], TODAY + timedelta(days=60))

    async def sent() -> list[str] | None:
        numbers = [r["number"] for r in (await client.get("/billing/api/requisitions", headers=worker,
                                                          params={"page_size": 200})).json()["items"]]
        mailings = [m for n in numbers
                    for m in (await client.get(f"/billing/api/requisitions/{n}/mailings", headers=worker)).json()]
        return numbers if len(mailings) == 3 and all(m["status"] == "sent" for m in mailings) else None
    numbers = await eventually(sent, within=60)
    assert len(mail_server.messages()) == 3

    pages = [f"/placement/stays/{stays[0]}", "/placement/decisions", "/placement/views",
             "/placement/?office=nav-grunerlokka&hvem=1", "/billing/", f"/billing/requisitions/{numbers[0]}"]
    for page in pages:
        r = await client.get(page, headers=worker)
        assert r.status_code == 200 and any(name in r.text for name in NAMES[:2]), page
    for number_ in numbers:
        assert (await client.get(f"/billing/api/requisitions/{number_}.pdf", headers=worker)).status_code == 200
    for decision in decisions:
        assert (await client.get(f"/intake/api/decisions/{decision}/letter.pdf", headers=worker)).status_code == 200


async def test_no_personal_data_in_databases_events_or_logs(log_lines, mail_stack, mail_server):
    stack = mail_stack
    numbers = [number(201), number(202), synthetic_identity_number(date(1991, 8, 13), kind="d_number")]
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        worker = await login(client, "veileder-grunerlokka")
        leader = await login(client, "leder-grunerlokka")
        household_ids, decisions = [], []
        for fnr, name in zip(numbers[:2], NAMES[:2], strict=True):
            r = await client.post("/intake/api/applications", headers=worker, json=application(
                fnr, office="nav-grunerlokka", name=name, notes=f"Snakket med {name} ({fnr}).",
                wishes=f"{name} vil bo sentralt.", address=f"{name.split()[1]}veien 3", no_fixed_address=False,
                children_birth_dates=[str(date(TODAY.year - 8, 1, 1))]))
            assert r.status_code == 201, r.text
            household_ids.append(r.json()["household_id"])
            d = (await client.post(f"/intake/api/applications/{r.json()['application_id']}/decision",
                                   headers=worker, json=granted(justification=f"{name} har ingen andre steder.")))
            assert d.status_code == 201
            a = await client.post(f"/intake/api/decisions/{d.json()['decision_id']}/approval", headers=leader)
            assert a.status_code == 200
            decisions.append(d.json()["decision_id"])
            await client.post("/intake/api/households/lookup", headers=worker,
                              json={"identity_number": fnr, "purpose": "Kontroll"})
            await client.get(f"/intake/api/applications/{r.json()['application_id']}?purpose=kontroll",
                             headers=worker)
        # A case registered through the web form, refused with the name in the reason.
        r = await client.post("/intake/applications/new", headers=worker, follow_redirects=False, data={
            "identity_number": numbers[2], "name": NAMES[2], "adults": "1", "channel": "phone",
            "notes": f"{NAMES[2]} ringte."})
        assert r.status_code == 303, r.text
        application_id = r.headers["location"].rsplit("/", 1)[1]
        r = await client.post(f"/intake/api/applications/{application_id}/decision", headers=worker,
                              json={"outcome": "refused", "refusal_reason": f"{NAMES[2]} har egen bolig."})
        assert r.status_code == 201
        # Bad input that carries the number must not log it either.
        await client.post("/intake/api/applications", headers=worker,
                          json=application(numbers[0][:-1] + "x", office="nav-grunerlokka", name=NAMES[0]))

        async def placement_has_both():
            r = await client.get("/placement/api/decisions/awaiting-place", headers=worker)
            return len({d["household_id"] for d in r.json()} & set(household_ids)) == 2
        await eventually(placement_has_both)
        await placed_and_shown(client, worker, decisions, mail_server)
        # Found from the header, the case pages with placement's and billing's parts, the leader's queue.
        r = await client.post("/intake/search", headers=worker, data={"q": NAMES[0].split()[1]})
        assert r.status_code == 200 and NAMES[0] in r.text, r.text[-500:]
        for household_id, name in zip(household_ids, NAMES[:2], strict=True):
            r = await client.get(f"/intake/households/{household_id}?purpose=Kontroll", headers=worker)
            assert r.status_code == 200 and name in r.text and "Rekvisisjon" in r.text, r.text[-800:]
        assert (await client.get("/intake/queue", headers=leader)).status_code == 200

    words = needles(numbers)
    hits: list[str] = []
    control: list[str] = []  # the scan does find a name or a number where one is
    _scan_text(json.dumps({"x": f"{NAMES[0].upper()} {numbers[2][:6]} {numbers[2][6:]}"}), "control", words, control)
    assert len(control) >= 3

    # 1. Every table of every service's database, every column; bytes searched as bytes.
    for service in SERVICES:
        async with stack.pools[service].acquire() as conn:
            tables = [r["tablename"] for r in await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
            for table in tables:
                for row in await conn.fetch(f'SELECT * FROM "{table}"'):
                    for column, value in dict(row).items():
                        where = f"{service}.{table}.{column}"
                        if isinstance(value, bytes | bytearray | memoryview):
                            _scan_text(bytes(value).decode("utf-8", "replace"), where, words, hits)
                        elif isinstance(value, dict | list):
                            _scan_text(json.dumps(value, ensure_ascii=False, default=str), where, words, hits)
                        elif value is not None:
                            _scan_text(str(value), where, words, hits)

    # 2. Every event on every topic (and the dead-letter topics), read back from the broker.
    settings = stack.settings
    names = [settings.topic(t.value) for t in ALL_TOPICS] + [settings.topic(dead_letter_topic(s)) for s in SERVICES]
    consumer = AIOKafkaConsumer(bootstrap_servers=stack.bootstrap, enable_auto_commit=False)
    await consumer.start()
    events_read = 0
    try:
        existing = await consumer.topics()
        partitions = [TopicPartition(t, p) for t in names if t in existing
                      for p in (consumer.partitions_for_topic(t) or {0})]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        async def unread() -> bool:
            return any([await consumer.position(tp) < ends[tp] for tp in partitions])

        while await unread():
            batch = await consumer.getmany(timeout_ms=1000)
            for tp, records in batch.items():
                for record in records:
                    events_read += 1
                    where = f"topic {tp.topic} offset {record.offset}"
                    _scan_text((record.value or b"").decode("utf-8", "replace"), where, words, hits)
                    _scan_text((record.key or b"").decode("utf-8", "replace"), where, words, hits)
                    for key, value in record.headers or ():
                        _scan_text(f"{key}={(value or b'').decode('utf-8', 'replace')}", where, words, hits)
    finally:
        await consumer.stop()
    assert events_read >= 9  # 3 applications, 3 decisions and more: the scan did read the events

    # 3. The log lines of the whole run (start-up, requests, consumers, relays).
    assert any("application_received" in line for line in log_lines), "intake's log lines were not captured"
    for i, line in enumerate(log_lines):
        _scan_text(line, f"log line {i}", words, hits)

    assert not hits, "\n".join(hits[:50])
