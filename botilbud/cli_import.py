"""`botilbud import-stays FILE.csv`: stay history into placement (../shared/formats/stays-import.md); and
`botilbud providers import FILE.csv`: providers, agreements and units (../shared/formats/providers-import.md),
in one request (the server checks the whole file, then writes it in one transaction).

The server does the work. The stay history goes up once, as an import run: placement checks every row (format,
offices, providers, duplicates and overlaps across the whole file, free units) before it writes anything. By
default one bad row stops here: each unknown office or provider is printed once with the lines naming it and
what to do, each provider short of free units once with how many it lacks, then the other bad rows with their
line numbers and reasons (the first hundred, and how many there are), exit code 1, nothing written. Otherwise
placement writes the new stays in the background, a chunk per transaction, and the command prints the stays
written of the total as they go, until the run is done. Importing is idempotent, so a run that was stopped is
finished by running the same command again."""

from __future__ import annotations

import json
import time
from pathlib import Path

import typer

from botilbud.api_client import api_session, error_text

URL = "/placement/api/imports/stays/runs"
POLL_SECONDS = 0.5


def _fail(message: str, fmt: str, summary: dict | None = None) -> None:
    if fmt == "json":
        typer.echo(json.dumps({**(summary or {}), "error": message}, ensure_ascii=False))
    else:
        typer.echo(message, err=True)
    raise typer.Exit(1)


UNKNOWN_NB = {"office": "ukjent Nav-kontor", "provider": "ukjent tilbyder",
              "provider_orgnr": "ingen registrert tilbyder har organisasjonsnummeret"}


def _print_rejected(summary: dict) -> None:
    """Each unknown office or provider once, with the lines naming it and what to do (and each provider short
    of free units once, with how many it lacks); then the other bad rows the server listed (the first hundred),
    and how many more there are."""
    for u in summary.get("unknown", []):
        lines = ", ".join(map(str, u["lines"])) + (" …" if u["count"] > len(u["lines"]) else "")
        rows = f"{u['count']} rad" + ("" if u["count"] == 1 else "er")
        if u["field"] == "units":
            typer.echo(f"  linje {lines}: tilbyderen «{u['name']}» mangler {u['count']} ledige enheter for "
                       f"pågående opphold. {u['what_to_do']}", err=True)
            continue
        typer.echo(f"  linje {lines}: {UNKNOWN_NB.get(u['field'], u['field'])} «{u['name']}» ({rows}). "
                   f"{u['what_to_do']}", err=True)
    for r in summary["rejected"]:
        if not r.get("unknown"):
            typer.echo(f"  linje {r['line']}: {r['reason']}", err=True)
    listed = len(summary["rejected"])
    if summary.get("rejected_count", listed) > listed:
        typer.echo(f"  … og flere: {summary['rejected_count']} ugyldige rader i alt.", err=True)


def import_stays(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="The CSV file."),
    partial: bool = typer.Option(False, "--partial", help="Import the good rows and report the bad ones."),
    fmt: str = typer.Option("text", "--format", help="text or json (one JSON object on stdout)."),
    address: str | None = typer.Option(None, help="The running system's address (default: the local run file)."),
    user: str | None = typer.Option(None, help="User name (or BOTILBUD_USER): office leader or admin."),
    password: str | None = typer.Option(None, help="Password (or BOTILBUD_PASSWORD)."),
):
    """Import stay history from a CSV file; one bad row rejects the file unless --partial."""
    if fmt not in ("text", "json"):
        raise typer.BadParameter("choose text or json", param_hint="--format")
    summary = {"file": file.name, "rows": 0, "stays_created": 0, "already_imported": 0, "rejected": [],
               "written": False, "partial": partial}
    with api_session(address, user, password, timeout=600) as client:
        if fmt == "text":
            typer.echo(f"Kontrollerer {file.name} …", err=True)
        started = client.post(URL, params={"partial": str(partial).lower()}, content=file.read_bytes(),
                              headers={"Content-Type": "text/csv; charset=utf-8"})
        body = started.json() if started.headers.get("content-type", "").startswith("application/json") else {}
        if started.status_code not in (202, 422) or "rows" not in body:
            _fail(f"Importen ble avvist: {error_text(started)}", fmt, summary)
        summary["rows"] = body["rows"]
        if started.status_code == 422:  # refused: every bad row of the whole file, nothing written
            summary.update(rejected=body["rejected"], rejected_count=body["rejected_count"],
                           unknown=body.get("unknown", []))
            if fmt == "text":
                typer.echo(f"Filen ble avvist: {body['rejected_count']} ugyldige rader. Ingenting er lagret.",
                           err=True)
                _print_rejected(summary)
                raise typer.Exit(1)
            _fail("rejected: nothing written", fmt, summary)
        run = _follow(client, body, fmt)
    summary.update(stays_created=run["written"], already_imported=run["already_imported"],
                   rejected=run["rejected"], written=run["written"] > 0)
    if run["rejected_count"]:
        summary["rejected_count"] = run["rejected_count"]
    if run["status"] != "done":
        _fail(run["error"] or "Importen stoppet.", fmt, summary)
    if fmt == "json":
        typer.echo(json.dumps(summary, ensure_ascii=False))
    else:
        typer.echo(f"{summary['rows']} rader: {summary['stays_created']} nye opphold, "
                   f"{summary['already_imported']} var importert fra før, "
                   f"{summary.get('rejected_count', 0)} avvist.")
        _print_rejected(summary)
    if summary["rejected"]:
        raise typer.Exit(1 if not partial else 0)


def _follow(client, run: dict, fmt: str) -> dict:
    """The run, polled until it is done or failed, printing the stays written of the total as they change."""
    shown = -1
    while True:
        if run["written"] != shown and fmt == "text":
            shown = run["written"]
            total = run["to_write"]
            typer.echo(f"Importert {shown} av {total} nye opphold "
                       f"({shown * 100 // total if total else 100} %).", err=True)
        if run["status"] != "running":
            return run
        if run["stalled"]:
            return {**run, "status": "failed", "error": "Importen har stoppet (ingen fremdrift på to minutter). "
                                                         "Kjør samme kommando igjen: det som alt er importert, "
                                                         "endres ikke."}
        time.sleep(POLL_SECONDS)
        response = client.get(f"{URL}/{run['run_id']}")
        if response.status_code != 200:
            return {**run, "status": "failed", "error": f"Fant ikke importen: {error_text(response)}"}
        run = response.json()


PROVIDERS_URL = "/placement/api/imports/providers"
providers_app = typer.Typer(help="Providers, their agreements and units.")
ACTIONS_NB = {"register_provider": "ny tilbyder", "change_provider": "endret tilbyder", "register_unit": "ny enhet",
              "change_unit": "endret enhet"}


@providers_app.command("import")
def import_providers(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="The CSV file."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check every row and show what would change; write "
                                                          "nothing."),
    partial: bool = typer.Option(False, "--partial", help="Import the good rows and report the bad ones."),
    fmt: str = typer.Option("text", "--format", help="text or json (one JSON object on stdout)."),
    address: str | None = typer.Option(None, help="The running system's address (default: the local run file)."),
    user: str | None = typer.Option(None, help="User name (or BOTILBUD_USER): office leader or admin."),
    password: str | None = typer.Option(None, help="Password (or BOTILBUD_PASSWORD)."),
):
    """Register and change providers, agreements and units from a CSV file (../shared/formats/providers-import.md);
    any problem rejects the file unless --partial, and every problem is listed with its line."""
    if fmt not in ("text", "json"):
        raise typer.BadParameter("choose text or json", param_hint="--format")
    summary = {"file": file.name, "dry_run": dry_run, "partial": partial}
    with api_session(address, user, password, timeout=600) as client:
        r = client.post(PROVIDERS_URL, params={"dry_run": str(dry_run).lower(), "partial": str(partial).lower()},
                        content=file.read_bytes(), headers={"Content-Type": "text/csv; charset=utf-8"})
    body = r.json() if r.headers.get("content-type", "").startswith("application/json") else {}
    if r.status_code not in (200, 422) or "rows" not in body:
        _fail(f"Importen ble avvist: {error_text(r)}", fmt, summary)
    summary.update({k: v for k, v in body.items() if k != "detail"})
    rejected = body["rejected_count"] and not partial
    if fmt == "json":
        typer.echo(json.dumps(summary, ensure_ascii=False))
    else:
        _print_providers(summary, rejected)
    if rejected:
        raise typer.Exit(1)


def _print_providers(s: dict, rejected: bool) -> None:
    if rejected:
        typer.echo(f"Filen ble avvist: {s['rejected_count']} feil. Ingenting er lagret.", err=True)
    elif s["dry_run"]:
        typer.echo("Bare kontroll: ingenting er lagret.")
    typer.echo(f"{s['rows']} rader: {s['providers_registered']} nye tilbydere, {s['providers_changed']} endret, "
               f"{s['providers_unchanged']} uendret; {s['units_registered']} nye enheter, {s['units_changed']} "
               f"endret, {s['units_unchanged']} uendret.")
    for c in s["changes"]:
        what = f"{ACTIONS_NB[c['action']]} {c['unit'] + ' hos ' if c['unit'] else ''}{c['provider']} ({c['orgnr']})"
        typer.echo(f"  linje {c['line']}: {what}" + (f": {', '.join(c['columns'])}" if c["columns"] else ""))
    for e in s["rejected"]:
        typer.echo(f"  linje {e['line']}{' (' + e['field'] + ')' if e['field'] else ''}: {e['reason']}", err=True)
    if s["rejected_count"] > len(s["rejected"]):
        typer.echo(f"  … og {s['rejected_count'] - len(s['rejected'])} feil til.", err=True)


def register(app) -> None:
    """`botilbud import-stays FILE.csv [--partial] [--format json]`, `botilbud providers import FILE.csv
    [--dry-run] [--partial] [--format json]`."""
    app.command("import-stays")(import_stays)
    app.add_typer(providers_app, name="providers")
