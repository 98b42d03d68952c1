"""Shared helpers of intake's integration tests."""

from datetime import date, timedelta
from pathlib import Path

from botilbud.stack import DEMO_PASSWORD, demo_users, office_users
from kit import clock
from kit.auth import UserDirectory
from services.intake.domain.identity import synthetic_identity_number

TODAY = clock.today()
MADLA = {"name": "Nav Madla", "municipality": "1103", "address": "Madlamarkveien 6, 4041 Hafrsfjord"}
"""An office nobody has registered yet (the list tests register it and fill it)."""


def application(number: str, office: str = "nav-bodo", name: str = "Kari Testperson", **extra) -> dict:
    return {"identity_number": number, "name": name, "office_id": office, "urgent": True,
            "phone": "40000001", "no_fixed_address": True, "wishes": "Vil bo nær skolen.",
            "needs": {"needs_kitchen": True}, **extra}


def granted(days: int = 30, start: date | None = None, **extra) -> dict:
    start = start or TODAY
    return {"outcome": "granted", "period_from": str(start), "period_to": str(start + timedelta(days=days - 1)),
            "conditions": ["boligskole"], "consequence": "Nytt vedtak vurderes.", **extra}


def number(serial: int, birth: date = date(1984, 3, 9)) -> str:
    """A distinct synthetic number per serial: 200 per birth date, then the next day's."""
    days, nth = divmod(serial, 200)
    return synthetic_identity_number(birth + timedelta(days=days), nth)


async def outbox_types(stack, household_id: str) -> list[str]:
    async with stack.pools["intake"].acquire() as conn:
        rows = await conn.fetch("SELECT event_type FROM outbox WHERE key = $1 ORDER BY id", household_id)
    return [r["event_type"] for r in rows]


async def count_rows(stack) -> dict[str, int]:
    async with stack.pools["intake"].acquire() as conn:
        return {t: await conn.fetchval(f"SELECT count(*) FROM {t}")
                for t in ("households", "applications", "decisions", "outbox")}


def users_with_madla(tmp_path_factory) -> Path:
    """The harness's users and Nav Madla's case worker and leader: a module's `users_file` for tests that
    register Nav Madla and want its rows alone."""
    path = tmp_path_factory.mktemp("users") / "users.json"
    UserDirectory.write(path, [(u, DEMO_PASSWORD) for u in demo_users() + office_users([("nav-madla", "Nav Madla")])])
    return path
