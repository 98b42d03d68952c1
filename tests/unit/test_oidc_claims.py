"""From the identity provider's claims to a Botilbud user (role, office, municipality), and the settings that
name those claims: Keycloak's group names, Entra's group ids through a mapping, refusals in Norwegian."""

import json

import pytest

from botilbud.settings import Settings
from botilbud.stack import missing_settings
from kit.auth import Role, TokenSigner, User
from kit.oidc import NoAccess, user_from_claims
from kit.settings import OidcSettings

KEYCLOAK = OidcSettings(_env_file=None, issuer="http://idp/realms/botilbud", roles={
    "botilbud-veileder": "case_worker", "botilbud-leder": "office_leader", "botilbud-okonomi": "finance",
    "botilbud-kommunestab": "municipality_staff"})
WORKER_GROUP, GRUNERLOKKA_GROUP = "2f6c1a0e-7d0b-4c51-9a51-1c9a3c1b8e01", "8a0e7d3c-52a1-4e0b-b0f5-3d2c9e7a6b10"
ENTRA = OidcSettings(_env_file=None, issuer="https://login.microsoftonline.com/tenant/v2.0", role_claim="groups",
                     roles={WORKER_GROUP: "case_worker"}, office_claim="groups",
                     offices={GRUNERLOKKA_GROUP: "nav-grunerlokka"}, username_claim="upn")


def test_a_keycloak_case_worker_gets_role_office_and_name_from_groups_and_the_office_claim():
    user = user_from_claims({"sub": "5c1e", "preferred_username": "veileder-grunerlokka", "name": "Kari Veileder",
                             "groups": ["botilbud-veileder", "kontor-nav-grunerlokka"],
                             "nav_office": "nav-grunerlokka"}, KEYCLOAK)
    assert user == User("veileder-grunerlokka", Role.CASE_WORKER, "nav-grunerlokka", "Kari Veileder")


def test_entra_s_group_ids_map_to_a_role_and_an_office():
    user = user_from_claims({"sub": "x", "upn": "kari@oslo.kommune.no",
                             "groups": [WORKER_GROUP, GRUNERLOKKA_GROUP, "ffffffff-0000-0000-0000-000000000000"]},
                            ENTRA)
    assert (user.username, user.role, user.office_id) == ("kari@oslo.kommune.no", Role.CASE_WORKER,
                                                          "nav-grunerlokka")


def test_municipality_staff_carry_their_municipality_and_no_office():
    user = user_from_claims({"preferred_username": "stab-oslo", "groups": ["botilbud-kommunestab"],
                             "municipality": "0301", "nav_office": "nav-grunerlokka"}, KEYCLOAK)
    assert (user.role, user.municipality, user.office_id) == (Role.MUNICIPALITY_STAFF, "0301", None)


def test_without_a_mapping_the_claim_values_are_role_names():
    user = user_from_claims({"sub": "s-1", "roles": "finance"},
                            OidcSettings(_env_file=None, issuer="http://idp", role_claim="roles"))
    assert (user.username, user.role) == ("s-1", Role.FINANCE)  # no preferred_username: the subject


@pytest.mark.parametrize(("claims", "message"), [
    ({"preferred_username": "p", "groups": ["kontor-nav-grunerlokka"]}, "Du har ingen rolle i Botilbud"),
    ({"preferred_username": "p"}, "Du har ingen rolle i Botilbud"),
    ({"preferred_username": "p", "groups": "botilbud-okonomi,botilbud-veileder"}, "Du har ingen rolle"),
    ({"preferred_username": "p", "groups": ["botilbud-okonomi", "botilbud-leder"]}, "flere roller"),
    ({"preferred_username": "p", "groups": ["botilbud-veileder"]}, "mangler Nav-kontor"),
    ({"preferred_username": "p", "groups": ["botilbud-veileder"], "nav_office": ["nav-bodo", "nav-asker"]},
     "flere Nav-kontorer"),
    ({"preferred_username": "p", "groups": ["botilbud-leder"], "nav_office": "Nav Bodø\x00"}, "mangler Nav-kontor"),
    ({"preferred_username": "p", "groups": ["botilbud-kommunestab"]}, "mangler kommunenummer"),
    ({"preferred_username": "p", "groups": ["botilbud-kommunestab"], "municipality": "Oslo"}, "mangler kommunenummer"),
    ({"preferred_username": "p", "groups": ["botilbud-kommunestab"], "municipality": "0302"},
     "«0302» i kommunens innlogging finnes ikke i SSBs kommuneliste"),
    ({"groups": ["botilbud-okonomi"]}, "mangler et brukernavn"),
    ({"preferred_username": "a\x07b", "groups": ["botilbud-okonomi"]}, "mangler et brukernavn"),
    ({"preferred_username": "x" * 5000, "groups": ["botilbud-okonomi"]}, "mangler et brukernavn"),
])
def test_a_token_without_one_usable_role_office_or_name_is_refused_in_norwegian(claims, message):
    with pytest.raises(NoAccess, match=message):
        user_from_claims(claims, KEYCLOAK)


def test_a_mapping_to_a_role_that_does_not_exist_is_refused():
    with pytest.raises(NoAccess, match="«superuser» finnes ikke"):
        user_from_claims({"sub": "p", "groups": ["g"]},
                         OidcSettings(_env_file=None, issuer="x", roles={"g": "superuser"}))


def test_the_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("BOTILBUD_OIDC_ISSUER", "https://login.microsoftonline.com/t/v2.0")
    monkeypatch.setenv("BOTILBUD_OIDC_CLIENT_SECRET", "s3cret")
    monkeypatch.setenv("BOTILBUD_OIDC_ROLES", json.dumps({WORKER_GROUP: "case_worker"}))
    monkeypatch.setenv("BOTILBUD_OIDC_OFFICE_CLAIM", "groups")
    settings = Settings(_env_file=None)
    assert settings.oidc.issuer == "https://login.microsoftonline.com/t/v2.0"
    assert settings.oidc.roles == {WORKER_GROUP: "case_worker"}
    assert settings.oidc.office_claim == "groups"
    assert "s3cret" not in repr(settings.oidc)
    assert (settings.oidc.role_claim, settings.oidc.client_id, settings.oidc.audience) == (
        "groups", "botilbud-web", "botilbud")


def test_with_an_identity_provider_no_users_file_is_needed():
    plain = Settings(_env_file=None)
    assert "BOTILBUD_USERS_FILE (every service)" in missing_settings(plain, [])
    with_provider = plain.model_copy(update={"oidc": OidcSettings(_env_file=None, issuer="https://idp")})
    assert "BOTILBUD_USERS_FILE (every service)" not in missing_settings(with_provider, [])
    assert "BOTILBUD_SECRET_KEY (every service)" in missing_settings(with_provider, [])


def test_a_session_lasts_no_longer_than_the_id_token():
    signer = TokenSigner("secret", ttl_seconds=3600)
    staff = User("stab-oslo", Role.MUNICIPALITY_STAFF, None, "Velferdsetaten", "0301")
    lasting = signer.issue(staff, until=9_999_999_999)
    assert signer.read(lasting) == staff
    assert 3590 <= signer.seconds_left(lasting) <= 3600  # the TTL still bounds it
    assert signer.read(signer.issue(staff, until=1_000_000)) is None  # the ID token has expired


@pytest.mark.parametrize(("asked", "goes"), [("/intake/", "/intake/"), ("/stats/?year=2026", "/stats/?year=2026"),
                                             ("//evil.example/", "/"), ("/\\evil.example/", "/"),
                                             ("https://evil.example/", "/"), ("/" + "a" * 2000, "/")])
def test_after_login_only_local_paths_of_a_sensible_length(asked, goes):
    from kit.oidc import safe_next

    assert safe_next(asked) == goes
