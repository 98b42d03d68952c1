"""Demo data at every intake stage, loaded once; and key rotation: all personal data re-encrypted with the
newest key, readable with it alone."""

from collections import Counter

import httpx
import pytest
from cryptography.fernet import Fernet, InvalidToken
from pydantic import SecretStr

from services.intake.adapters.identity import IdentityProtector
from services.intake.adapters.records import ENCRYPTED_COLUMNS
from services.intake.bootstrap import bus_for, rotate_keys, uow_factory_for
from services.intake.service_layer import demo
from tests.conftest import login
from tests.intake.helpers import application, number

pytestmark = [pytest.mark.integration]


async def test_demo_data_has_every_stage_in_the_five_municipalities_and_loads_once(stack):
    pool = stack.pools["intake"]
    async with pool.acquire() as conn:
        households = await conn.fetch("SELECT id, office_id FROM households")
        applications = await conn.fetch("SELECT office_id, status FROM applications")
        decisions = await conn.fetch("SELECT office_id, outcome, status, extends_decision_id FROM decisions")
    assert {h["office_id"] for h in households} == set(demo.DEMO_OFFICES)
    offices = {o.id: o for o in await demo.registered_offices(uow_factory_for(pool, stack.settings))}
    assert {offices[o].municipality for o in demo.DEMO_OFFICES} == {"0301", "5001", "1103", "1804", "3203"}
    assert offices["nav-grunerlokka"].second_approval and offices["nav-lerkendal"].municipality == "5001"
    async with pool.acquire() as conn:  # registered as an administrator's import registers them: with the events
        registered = await conn.fetch("SELECT key FROM outbox WHERE event_type = $1",
                                      "botilbud.intake.office-registered.v1")
    assert sorted(r["key"] for r in registered) == sorted(offices)
    for office in demo.DEMO_OFFICES:
        stages = Counter(a["status"] for a in applications if a["office_id"] == office)
        assert stages["received"] >= 1 and stages["decided"] >= 4
        mine = [d for d in decisions if d["office_id"] == office]
        assert any(d["outcome"] == "refused" for d in mine)
        assert any(d["outcome"] == "granted" and d["status"] == "in_effect" for d in mine)
        assert any(d["extends_decision_id"] is not None and d["status"] == "in_effect" for d in mine)
    assert any(d["status"] == "awaiting_approval" and d["office_id"] == "nav-grunerlokka" for d in decisions)

    factory = uow_factory_for(pool, stack.settings)
    async with factory() as uow:
        for h in households:
            household = await uow.repo.household(h["id"])
            assert int(household.identity_number[2:4]) > 80  # synthetic numbers only
    granted = await demo.granted_demo_decisions(factory)
    # Per office: four first grants and one extension; one first grant at Grünerløkka awaits approval.
    assert len(granted) == 5 * 5 - 1
    assert sum(d.extends_decision_id is not None for d in granted) == 5
    assert all(d.outcome == "granted" and d.status == "in_effect" for d in granted)

    # Loading again changes nothing.
    again = await demo.load_demo_data(bus_for(pool, stack.settings), factory)
    assert again == 0
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM households") == len(households)

    # The demo's leader case at Grünerløkka is waiting for a real leader in the pages.
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        cases = (await client.get("/intake/api/applications?open_only=true&page_size=200",
                                  headers=await login(client, "leder-grunerlokka"))).json()["items"]
        assert any(c["status"] == "awaiting_approval" for c in cases)


async def test_key_rotation_reencrypts_everything_with_the_newest_key(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        worker = await login(client, "veileder-bodo")
        r = await client.post("/intake/api/applications", headers=worker,
                              json=application(number(301), notes="Notat som skal roteres."))
        assert r.status_code == 201
    old_key = stack.settings.encryption_keys.get_secret_value()
    new_key = Fernet.generate_key().decode()
    rotated_settings = stack.settings.model_copy(update={"encryption_keys": SecretStr(f"{new_key},{old_key}")})

    pool = stack.pools["intake"]

    async def encrypted_values() -> list[bytes]:
        values = []
        async with pool.acquire() as conn:
            for table, columns in ENCRYPTED_COLUMNS.items():
                for row in await conn.fetch(f"SELECT {', '.join(columns)} FROM {table}"):
                    values += [bytes(row[c]) for c in columns if row[c] is not None]
        return values

    before = await encrypted_values()
    new_only = IdentityProtector([new_key], stack.settings.identity_hash_key.get_secret_value())
    with pytest.raises(InvalidToken):
        new_only.decrypt(before[0])

    rewritten = await rotate_keys(rotated_settings)
    assert rewritten == len(before)
    after = await encrypted_values()
    assert len(after) == len(before) and not set(after) & set(before)
    old_only = IdentityProtector([old_key], stack.settings.identity_hash_key.get_secret_value())
    for token in after:
        new_only.decrypt(token)  # readable with the new key alone
    with pytest.raises(InvalidToken):
        old_only.decrypt(after[0])

    # The service, given only the new key, still finds and shows the household.
    only_new = stack.settings.model_copy(update={"encryption_keys": SecretStr(new_key)})
    factory = uow_factory_for(pool, only_new)
    async with factory() as uow:
        household = await uow.repo.household_by_identity(number(301))
        assert household is not None and household.name == "Kari Testperson"
        [app] = await uow.repo.applications_of_household(household.id)
        assert app.notes == "Notat som skal roteres."
