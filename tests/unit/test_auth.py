"""Tokens and users: signed, expiring, role and office carried; passwords checked with argon2."""

import time

import pytest

from kit.auth import Role, TokenSigner, User, UserDirectory, service_token
from kit.runtime import ServiceContext
from kit.settings import Settings

WORKER = User("veileder-bodo", Role.CASE_WORKER, "nav-bodo", "Veileder")


def test_token_round_trip():
    signer = TokenSigner("secret", ttl_seconds=60)
    assert signer.read(signer.issue(WORKER)) == WORKER


def test_tampered_or_foreign_token_is_refused():
    token = TokenSigner("secret", 60).issue(WORKER)
    assert TokenSigner("another secret", 60).read(token) is None
    assert TokenSigner("secret", 60).read(token[:-2] + ("AA" if token[-2:] != "AA" else "BB")) is None


def test_expired_token_is_refused():
    signer = TokenSigner("secret", ttl_seconds=1)
    token = signer.issue(WORKER)
    time.sleep(2.1)
    assert signer.read(token) is None


def test_office_scoping():
    assert WORKER.may_see_office("nav-bodo")
    assert not WORKER.may_see_office("nav-asker")
    assert User("okonomi", Role.FINANCE).may_see_office("nav-asker")


def test_a_service_credential_is_scoped_to_its_office_and_no_person_may_hold_the_role(tmp_path):
    signer = TokenSigner("secret", 60)
    billing = signer.read(service_token(signer, "billing", "nav-bodo"))
    assert (billing.username, billing.role, billing.office_id) == ("billing", Role.SERVICE, "nav-bodo")
    assert billing.may_see_office("nav-bodo") and not billing.may_see_office("nav-asker")
    path = tmp_path / "users.json"
    UserDirectory.write(path, [(User("maskin", Role.SERVICE, "nav-bodo"), "passord")])
    with pytest.raises(ValueError, match="service"):
        UserDirectory.load(path)


def test_another_services_address_comes_from_its_setting():
    class WithIntake(Settings):
        intake_url: str | None = None

    assert ServiceContext("placement", WithIntake(_env_file=None, intake_url="http://intake:8080/intake"),
                          pool=None).service_url("intake") == "http://intake:8080/intake"
    with pytest.raises(LookupError, match="BOTILBUD_INTAKE_URL"):
        ServiceContext("placement", WithIntake(_env_file=None), pool=None).service_url("intake")


def test_user_directory_checks_passwords(tmp_path):
    path = tmp_path / "users.json"
    UserDirectory.write(path, [(WORKER, "riktig passord")])
    users = UserDirectory.load(path)
    assert users.authenticate("veileder-bodo", "riktig passord") == WORKER
    assert users.authenticate("veileder-bodo", "feil") is None
    assert users.authenticate("ukjent", "riktig passord") is None
    assert "riktig passord" not in path.read_text()


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_five_failures_for_a_user_refuse_even_the_right_password_until_the_window_passes():
    from kit.auth import LoginThrottle

    clock = Clock()
    throttle = LoginThrottle(clock=clock)
    for i in range(5):
        assert throttle.refused("veileder-bodo", f"10.0.0.{i}") is None
        throttle.failed("veileder-bodo", f"10.0.0.{i}")
        clock.now += 60
    refused = throttle.refused("veileder-bodo", "10.0.0.99")  # from any address
    assert refused.reason == "user" and refused.retry_after == 15 * 60 - 5 * 60
    assert refused.message_nb == "For mange mislykkede innlogginger. Vent 10 minutter og prøv igjen."
    assert throttle.refused("leder-bodo", "10.0.0.99") is None  # other users are not touched
    clock.now += refused.retry_after
    assert throttle.refused("veileder-bodo", "10.0.0.99") is None  # the first failure has left the window
    throttle.failed("veileder-bodo", "10.0.0.99")
    assert throttle.refused("veileder-bodo", "10.0.0.99").retry_after == 60  # the next one leaves in a minute


def test_thirty_failures_from_one_address_refuse_it_and_no_success_resets_an_address():
    from kit.auth import LoginThrottle

    clock = Clock()
    throttle = LoginThrottle(clock=clock)
    for i in range(30):
        throttle.failed(f"gjett-{i}", "192.0.2.7")
    assert throttle.refused("veileder-bodo", "192.0.2.7").reason == "address"
    throttle.succeeded("veileder-bodo")  # a login that succeeded elsewhere
    assert throttle.refused("veileder-bodo", "192.0.2.7").reason == "address"
    assert throttle.refused("veileder-bodo", "192.0.2.8") is None
    for _ in range(4):
        throttle.failed("veileder-bodo", "192.0.2.8")
    throttle.succeeded("veileder-bodo")  # the right password clears that user's count
    throttle.failed("veileder-bodo", "192.0.2.8")
    assert throttle.refused("veileder-bodo", "192.0.2.8") is None
    assert throttle.refused("gjett-1", "192.0.2.9") is None and minutes_to_wait(throttle, "192.0.2.7") == 15


def minutes_to_wait(throttle, address: str) -> int:
    return int(throttle.refused("x", address).message_nb.split("Vent ")[1].split()[0])


async def test_thirty_wrong_passwords_then_the_right_one_is_refused_on_the_api_and_the_page(tmp_path):
    from prometheus_client import REGISTRY

    from tests.unit.toy_service import PASSWORD, client, root_app

    def throttled(reason: str) -> float:
        return REGISTRY.get_sample_value("botilbud_login_throttled_total", {"reason": reason}) or 0

    app = root_app(tmp_path)
    before = throttled("user")
    async with client(app, "203.0.113.5", logged_in=False) as attacker:
        answers = [(await attacker.post("/api/token", data={"username": "veileder", "password": f"feil {i}"}))
                   for i in range(30)]
        assert [r.status_code for r in answers] == [401] * 5 + [429] * 25
        right = await attacker.post("/api/token", data={"username": "veileder", "password": PASSWORD})
        assert right.status_code == 429 and right.headers["content-type"] == "application/problem+json"
        assert 14 * 60 < int(right.headers["retry-after"]) <= 15 * 60
        assert right.json()["detail"] == "For mange mislykkede innlogginger. Vent 15 minutter og prøv igjen."
        assert "access_token" not in right.text
    async with client(app, "198.51.100.1", logged_in=False) as colleague:
        await colleague.get("/login")  # the CSRF cookie the form is bound to
        token = app.state.signer.csrf_token(colleague.cookies["botilbud_csrf"])
        page = await colleague.post("/login", data={"username": "veileder", "password": PASSWORD,
                                                    "csrf_token": token})
    assert page.status_code == 429 and "botilbud_session" not in page.headers.get("set-cookie", "")
    assert "For mange mislykkede innlogginger. Vent 15 minutter og prøv igjen." in page.text
    assert page.headers["retry-after"]
    assert throttled("user") == before + 27  # 25 wrong, the right one, the page
