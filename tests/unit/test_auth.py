"""Tokens and users: signed, expiring, role and office carried; passwords checked with argon2."""

import time

from kit.auth import Role, TokenSigner, User, UserDirectory

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


def test_user_directory_checks_passwords(tmp_path):
    path = tmp_path / "users.json"
    UserDirectory.write(path, [(WORKER, "riktig passord")])
    users = UserDirectory.load(path)
    assert users.authenticate("veileder-bodo", "riktig passord") == WORKER
    assert users.authenticate("veileder-bodo", "feil") is None
    assert users.authenticate("ukjent", "riktig passord") is None
    assert "riktig passord" not in path.read_text()
