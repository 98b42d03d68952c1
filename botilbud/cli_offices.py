"""`botilbud offices import FILE.csv`: the municipality's Nav offices into intake's registry
(../shared/formats/offices-import.md), over HTTP like the other commands of users (as an administrator).

The file goes up whole (a municipality's offices are a few kilobytes): intake checks every row against the
format and SSB's municipalities, then registers the new offices and updates the changed ones in one
transaction. One bad row rejects the file (every bad row printed with its line and the reason, exit code 1,
nothing written) unless --partial; --dry-run checks and says what would happen, and writes nothing. An office
is its name within its municipality, so importing the same file again changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from botilbud.api_client import api_session, error_text

URL = "/intake/api/offices/import"
OUTCOME_NB = {"registered": "registreres", "changed": "endres", "unchanged": "uendret"}
DONE_NB = {"registered": "registrert", "changed": "endret", "unchanged": "uendret"}


def _summary(result: dict) -> str:
    return (f"{result['rows']} rader: {result['registered']} nye kontorer, {result['changed']} endret, "
            f"{result['unchanged']} uendret, {result['rejected_count']} avvist.")


def import_offices(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="The CSV file."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check every row and say what would happen; write "
                                                          "nothing."),
    partial: bool = typer.Option(False, "--partial", help="Import the good rows and report the bad ones."),
    fmt: str = typer.Option("text", "--format", help="text or json (one JSON object on stdout)."),
    address: str | None = typer.Option(None, help="The running system's address (default: the local run file)."),
    user: str | None = typer.Option(None, help="User name (or BOTILBUD_USER): an administrator."),
    password: str | None = typer.Option(None, help="Password (or BOTILBUD_PASSWORD)."),
):
    """Register and update Nav offices from a CSV file; one bad row rejects the file unless --partial."""
    if fmt not in ("text", "json"):
        raise typer.BadParameter("choose text or json", param_hint="--format")
    with api_session(address, user, password, timeout=120) as client:
        response = client.post(URL, params={"dry_run": str(dry_run).lower(), "partial": str(partial).lower()},
                               content=file.read_bytes(), headers={"Content-Type": "text/csv; charset=utf-8"})
    body = response.json() if response.headers.get("content-type", "").endswith("json") else {}
    result = body if response.status_code == 200 else body.get("result")
    if result is None:  # not the format at all, too large, not allowed …
        message = f"Filen ble avvist: {error_text(response)}"
        if fmt == "json":
            typer.echo(json.dumps({"file": file.name, "error": message}, ensure_ascii=False))
        else:
            typer.echo(message, err=True)
        raise typer.Exit(1)
    refused = bool(result["rejected"]) and not partial
    if fmt == "json":
        typer.echo(json.dumps({"file": file.name, **result}, ensure_ascii=False))
    else:
        typer.echo(("Prøvekjøring: " if dry_run else "") + f"{file.name}: {_summary(result)}"
                   + (" Ingenting er lagret." if dry_run or refused else ""))
        words = OUTCOME_NB if dry_run or refused else DONE_NB
        for o in result["offices"]:
            if o["outcome"] != "unchanged":
                typer.echo(f"  linje {o['line']}: {o['name']} ({o['office_id']}) {words[o['outcome']]}")
        for r in result["rejected"]:
            typer.echo(f"  linje {r['line']}" + (f" ({r['field']})" if r["field"] else "") + f": {r['reason']}",
                       err=True)
        if refused and not dry_run:
            typer.echo(f"Filen ble avvist: {result['rejected_count']} ugyldige rader. Rett dem og kjør på nytt, "
                       "eller bruk --partial for å importere de gyldige.", err=True)
    if refused:
        raise typer.Exit(1)


offices_app = typer.Typer(help="The Nav offices: intake's registry (an administrator's).")
offices_app.command("import")(import_offices)


def register(app: typer.Typer) -> None:
    """`botilbud offices import FILE.csv [--dry-run] [--partial] [--format json]`."""
    app.add_typer(offices_app, name="offices")
