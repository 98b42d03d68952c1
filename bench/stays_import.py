"""History at a municipality's scale (issue 14.6): `botilbud import-stays` of a generated ten-year file, end to
end, until stats' KOSTRA shows every year.

    python -m bench.stays_import [--rows 50000] [--years 10] [--seed 1]

It starts the embedded PostgreSQL and broker and `botilbud run` (all four services, demo data) as processes of
their own, writes a realistic history file (`generate`: households at the six demo offices, Oslo's
Grünerløkka the largest, one to four stays each over ten years, most ended, a few hundred still open, children and
young applicants, night shelters where the demo data has them), then times the real command line,
`botilbud import-stays FILE`, as a user runs it, and from its start the moment stats' KOSTRA (`GET
/stats/api/kostra`) for every municipality and year in the file equals a reference computed from the file itself
by `tests/stats/reference.py` (every night enumerated). A sampler records, every quarter of a second,
placement's stays, its outbox backlog, and the stays billing and stats have: the timeline shows where the time
goes. It also records the CPU seconds the system's one process and PostgreSQL used meanwhile (psutil): on a
machine shared with other work they say more than the wall time does.

Prints JSON and a Markdown summary (pasted into bench/RESULTS.md)."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import asyncpg
import httpx
import psutil
from cryptography.fernet import Fernet

from botilbud.embedded import EmbeddedKafka, EmbeddedPostgres
from botilbud.stack import DEMO_PASSWORD, demo_offices, write_demo_users
from kit import clock
from services.placement.domain.history import COLUMNS, MOVE_OUT_REASONS
from services.stats.domain.kostra import KostraRules, StayFacts

REFERENCE = Path(__file__).resolve().parents[1] / "demo" / "reference.json"  # the demo's providers
KOSTRA_KEYS = ("households", "households_over_3_months", "households_14_days_or_less", "households_with_children",
               "households_with_children_over_3_months", "young_households", "young_households_over_3_months",
               "night_shelter_households")
# Share of the file's households per office: Oslo's Grünerløkka the largest, as Oslo is.
OFFICE_WEIGHTS = {"nav-grunerlokka": 0.55, "nav-falkenborg": 0.1, "nav-lerkendal": 0.07,
                  "nav-hundvag-og-storhaug": 0.12, "nav-bodo": 0.08, "nav-asker": 0.08}
OPEN_SHARE_OF_UNITS = 0.6  # ongoing stays take at most this share of a provider's units


@dataclass(frozen=True)
class Stay:
    office: str
    municipality: str
    household: str
    accommodation: str
    check_in: date
    check_out: date | None
    applicant: date
    children: tuple[date, ...]


def _nights(rng: random.Random) -> int:
    """Mostly short stays, many of a few weeks to three months, some long (the Fafo note's picture)."""
    roll = rng.random()
    if roll < 0.4:
        return rng.randint(1, 14)
    if roll < 0.8:
        return rng.randint(15, 90)
    return rng.randint(91, 300)


def generate(rows: int, *, today: date, years: int = 10, seed: int = 1) -> tuple[str, list[Stay]]:
    """A history file of `rows` stays and the stays as the reference reads them."""
    rng = random.Random(seed)
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    offices = {o["id"]: o for o in demo_offices()}  # the demo's offices file, with the registry's ids
    by_municipality: dict[str, list[dict]] = defaultdict(list)
    for p in reference["providers"]:
        by_municipality[p["municipality"]].append(p)
    open_left = {p["name"]: int(sum(int(u.get("count", 1)) for u in p["units"]) * OPEN_SHARE_OF_UNITS)
                 for p in reference["providers"]}
    start = today - timedelta(days=365 * years)
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    stays: list[Stay] = []
    serial = 0
    office_ids, weights = list(OFFICE_WEIGHTS), list(OFFICE_WEIGHTS.values())
    while len(stays) < rows:
        office = offices[rng.choices(office_ids, weights)[0]]
        serial += 1
        ref = f"{office['id'].removeprefix('nav-')[:3].upper()}-{serial:06d}"
        first = start + timedelta(days=rng.randint(0, 365 * years - 2))
        applicant = first - timedelta(days=rng.randint(17 * 365 + 200, 70 * 365))
        children = tuple(sorted(first - timedelta(days=rng.randint(30, 17 * 365))
                                for _ in range(rng.choice((1, 1, 2, 3))))) if rng.random() < 0.25 else ()
        day = first
        for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 4))):
            if len(stays) >= rows or day >= today:
                break
            providers = by_municipality[office["municipality"]]
            if office["municipality"] == "3203" and rng.random() < 0.15:
                providers = by_municipality["3301"]  # Asker uses Drammen's camping and apartment hotel
            p = rng.choice(providers)
            check_out: date | None = day + timedelta(days=_nights(rng))
            if check_out >= today:
                if open_left[p["name"]] > 0 and rng.random() < 0.5:
                    open_left[p["name"]] -= 1
                    check_out = None
                else:
                    check_out = today
            if check_out is not None and check_out <= day:
                break
            # as offices write it: often without the registered name's trailing parenthesis
            name = re.sub(r"\s*\([^)]*\)$", "", p["name"]) if rng.random() < 0.5 else p["name"]
            price = p["agreement"].get("price_per_night_nok")
            writer.writerow({
                "household_ref": ref, "municipality": office["municipality"],
                "district": office.get("district") or "", "office": office["name"],
                "applicant_birth_date": applicant.isoformat(),
                "children_birth_dates": ";".join(c.isoformat() for c in children if c <= day),
                "provider": name, "provider_orgnr": p["orgnr"] if rng.random() < 0.3 else "",
                "accommodation": p["accommodation"], "agreement": p["agreement"]["kind"],
                "check_in": day.isoformat(), "check_out": check_out.isoformat() if check_out else "",
                "move_out_reason": rng.choice(MOVE_OUT_REASONS) if check_out else "",
                "nightly_price_nok": str(price) if price is not None and rng.random() < 0.7 else ""})
            stays.append(Stay(office["id"], office["municipality"], ref, p["accommodation"], day, check_out,
                              applicant, tuple(c for c in children if c <= day)))
            if check_out is None:
                break
            day = check_out + timedelta(days=rng.randint(1, 240))
    return out.getvalue(), stays


def expected_kostra(stays: list[Stay], today: date) -> dict[tuple[str, int], dict[str, int]]:
    """KOSTRA per municipality and year, by the plain reference (each night enumerated), from the file."""
    from tests.stats.reference import reference_kostra

    rules = KostraRules()
    per: dict[tuple[str, int], list[StayFacts]] = defaultdict(list)
    for s in stays:
        facts = StayFacts((s.office, s.household), s.accommodation, s.check_in, s.check_out, s.applicant,
                          s.children)
        for year in range(s.check_in.year, min(s.check_out or today, today).year + 1):
            per[(s.municipality, year)].append(facts)
    return {key: reference_kostra(facts, key[1], today, rules) for key, facts in sorted(per.items())}


def start_system(env: dict, home: Path) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "botilbud.cli", "run"], env={**env, "BOTILBUD_HOME": str(home)},
                            stdout=subprocess.DEVNULL, stderr=open(home / "run.log", "w"))  # noqa: SIM115
    deadline = time.monotonic() + 120
    while not (home / "run.json").exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the system did not start; see {home / 'run.log'}")
        time.sleep(0.1)
    return proc, json.loads((home / "run.json").read_text())["url"]


async def token(client: httpx.AsyncClient, user: str) -> dict[str, str]:
    r = await client.post("/api/token", data={"username": user, "password": DEMO_PASSWORD})
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


class Sampler:
    """Every quarter of a second: placement's stays and outbox backlog, billing's and stats' stays."""

    def __init__(self, pg_url: str):
        self.pg_url = pg_url
        self.samples: list[dict] = []

    async def run(self, t0: float) -> None:
        conns = {s: await asyncpg.connect(f"{self.pg_url}/botilbud_{s}") for s in ("placement", "billing", "stats")}
        try:
            while True:
                self.samples.append({
                    "t": round(time.perf_counter() - t0, 1),
                    "placement_stays": await conns["placement"].fetchval("SELECT count(*) FROM stays"),
                    "outbox_backlog": await conns["placement"].fetchval(
                        "SELECT count(*) FROM outbox WHERE published_at IS NULL"),
                    "billing_stays": await conns["billing"].fetchval("SELECT count(*) FROM stays"),
                    "stats_stays": await conns["stats"].fetchval("SELECT count(*) FROM stays"),
                    "stats_ended": await conns["stats"].fetchval(
                        "SELECT count(*) FROM stays WHERE check_out IS NOT NULL"),
                    "load": round(os.getloadavg()[0], 2)})
                await asyncio.sleep(0.25)
        finally:
            for c in conns.values():
                await c.close()


def postgres_processes(data: Path) -> list[psutil.Process]:
    postmaster = psutil.Process(int((data / "postmaster.pid").read_text().splitlines()[0]))
    return [postmaster, *postmaster.children()]


def cpu_seconds(processes: list[psutil.Process]) -> float:
    """User and system CPU time of the processes (those that have ended since: what they had)."""
    total = 0.0
    for p in processes:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def first_time(samples: list[dict], key: str, value: int) -> float | None:
    return next((s["t"] for s in samples if s[key] >= value), None)


async def kostra_equal(client: httpx.AsyncClient, headers: dict, want: dict) -> list[tuple[str, int]]:
    """The (municipality, year) pairs where stats does not yet show the reference."""
    wrong = []
    for (municipality, year), expected in want.items():
        r = await client.get("/stats/api/kostra", params={"year": year, "municipality": municipality},
                             headers=headers)
        r.raise_for_status()
        if {k: r.json()[k] for k in KOSTRA_KEYS} != expected:
            wrong.append((municipality, year))
    return wrong


async def run(args) -> dict:
    today = clock.today()
    work = Path(tempfile.mkdtemp(prefix="botilbud-bench-import-"))
    started = time.perf_counter()
    text, stays = generate(args.rows, today=today, years=args.years, seed=args.seed)
    generated = time.perf_counter() - started
    path = work / "stays.csv"
    path.write_text(text, encoding="utf-8")
    started = time.perf_counter()
    want = expected_kostra(stays, today)
    reference_s = time.perf_counter() - started
    report: dict = {"rows": len(stays), "ended": sum(1 for s in stays if s.check_out), "years": args.years,
                    "file_mb": round(len(text.encode()) / 2**20, 1), "generate_s": round(generated, 1),
                    "reference_s": round(reference_s, 1), "areas": len(want), "cpus": os.cpu_count(),
                    "load_before": [round(x, 2) for x in os.getloadavg()]}
    pg, kafka = EmbeddedPostgres(work / "pg"), EmbeddedKafka(work / "kafka.log")
    pg_url, bootstrap = pg.start(), kafka.start()
    users = work / "users.json"
    write_demo_users(users)
    env = {**os.environ, "BOTILBUD_DATABASE_URL": pg_url, "BOTILBUD_KAFKA_BOOTSTRAP": bootstrap,
           "BOTILBUD_HTTP_PORT": "0", "BOTILBUD_LOG_LEVEL": "WARNING",
           "BOTILBUD_SECRET_KEY": secrets.token_urlsafe(32), "BOTILBUD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
           "BOTILBUD_IDENTITY_HASH_KEY": secrets.token_urlsafe(32), "BOTILBUD_USERS_FILE": str(users),
           "BOTILBUD_DEMO_DATA": "true", "BOTILBUD_ALLOW_SYNTHETIC_IDS": "true"}
    home = work / "home"
    home.mkdir()
    proc, url = start_system(env, home)
    try:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            admin = await token(client, "admin")
            while (await client.get("/placement/api/providers", headers=admin)).json()["total"] < 30:
                await asyncio.sleep(0.2)
            await asyncio.sleep(3)  # the demo data's events through every consumer first
            sampler = Sampler(pg_url)
            system, postgres = psutil.Process(proc.pid), postgres_processes(pg.data)
            cpu0 = cpu_seconds([system]), cpu_seconds(postgres)
            t0 = time.perf_counter()
            sampling = asyncio.create_task(sampler.run(t0))
            cli = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "botilbud.cli", "import-stays", str(path), "--address", url,
                env={**env, "BOTILBUD_USER": "admin", "BOTILBUD_PASSWORD": DEMO_PASSWORD},
                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            out, err = await cli.communicate()
            report["cli_s"] = round(time.perf_counter() - t0, 1)
            report["cli_exit"] = cli.returncode
            report["cli_stdout"] = out.decode()[-500:]
            report["cli_progress"] = [line for line in err.decode().replace("\r", "\n").splitlines()
                                      if line.strip()][-3:]
            if cli.returncode != 0:
                raise RuntimeError(f"import failed after {report['cli_s']} s: {out.decode()[-2000:]} "
                                   f"{err.decode()[-2000:]}")
            wrong = list(want)
            deadline = time.perf_counter() + args.timeout
            # Ask stats' API only once its projection has every stay and move-out (the sampler's count): 55
            # KOSTRA queries every half second would take their share of the one process being measured.
            while time.perf_counter() < deadline and not (
                    sampler.samples and sampler.samples[-1]["stats_stays"] >= len(stays)
                    and sampler.samples[-1]["stats_ended"] >= report["ended"]):
                await asyncio.sleep(0.2)
            while wrong and time.perf_counter() < deadline:
                wrong = await kostra_equal(client, admin, {k: want[k] for k in wrong})
                if wrong:
                    await asyncio.sleep(0.5)
            report["kostra_s"] = round(time.perf_counter() - t0, 1)
            # CPU the work took, whatever else the machine ran: the system's one process, and PostgreSQL's.
            report["cpu_s"] = {"system process": round(cpu_seconds([system]) - cpu0[0], 1),
                               "postgres": round(cpu_seconds(postgres_processes(pg.data)) - cpu0[1], 1)}
            report["kostra_wrong"] = wrong
            await asyncio.sleep(0.6)
            sampling.cancel()
        samples = sampler.samples
        n = len(stays)
        report["timeline_s"] = {
            "placement has every stay": first_time(samples, "placement_stays", n),
            "billing has every stay": first_time(samples, "billing_stays", n),
            "stats has every stay": first_time(samples, "stats_stays", n),
            "stats has every move-out": first_time(samples, "stats_ended", report["ended"]),
            "highest outbox backlog": max((s["outbox_backlog"] for s in samples), default=0)}
        report["load_during"] = max((s["load"] for s in samples), default=None)
        report["samples"] = samples[::8]
    finally:
        proc.terminate()
        proc.wait(60)
        kafka.stop()
        pg.stop("immediate")
    return report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for stats after the import")
    args = parser.parse_args()
    report = asyncio.run(run(args))
    print(json.dumps({k: v for k, v in report.items() if k != "samples"}, indent=2, ensure_ascii=False))
    print(json.dumps(report["samples"]))
    print(f"\n| measure | s |\n|---|---|\n| `botilbud import-stays` of {report['rows']} rows | {report['cli_s']} |")
    for name, t in report["timeline_s"].items():
        print(f"| {name} | {t} |")
    print(f"| stats' KOSTRA equals the reference for all {report['areas']} municipality-years | "
          f"{report['kostra_s']} |")


if __name__ == "__main__":
    main()
