"""`botilbud import-stays FILE.csv`: stay history into placement (../shared/formats/stays-import.md); and
`botilbud providers import FILE.csv`: providers, agreements and units (../shared/formats/providers-import.md),
in one request (the server checks the whole file, then writes it in one transaction).

The server does the work. First the whole file goes up once with `dry_run`: placement checks every row
(format, offices, providers, duplicates and overlaps across the whole file) and writes nothing. By default one
bad row stops here: each unknown office or provider is printed once with the lines naming it and what to do,
then the other bad rows with their line numbers and reasons (the first hundred, and how many there are), exit
code 1, nothing written.
Then the rows go up in chunks of CHUNK_ROWS (each with the header and the line number of its first row), each
chunk written in one transaction, with a progress bar on stderr. Importing is idempotent, so a chunked import
that was interrupted is finished by running the same command again."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import typer

from botilbud.api_client import api_session, error_text

CHUNK_ROWS = 500
URL = "/placement/api/imports/stays"


def _chunks(data: bytes, size: int) -> tuple[int, list[tuple[int, int, bytes]]]:
    """The rows (count) and the file in chunks: (line of the first row, rows, CSV bytes with the header)."""
    text = data.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None) or []
    rows: list[tuple[int, list[str]]] = []
    previous = reader.line_num
    for cells in reader:
        line, previous = previous + 1, reader.line_num
        if any(c.strip() for c in cells):
            rows.append((line, cells))
    chunks = []
    for start in range(0, len(rows), size):
        part = rows[start:start + size]
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(cells for _, cells in part)
        chunks.append((part[0][0], len(part), out.getvalue().encode("utf-8")))
    return len(rows), chunks


def _fail(message: str, fmt: str, summary: dict | None = None) -> None:
    if fmt == "json":
        typer.echo(json.dumps({**(summary or {}), "error": message}, ensure_ascii=False))
    else:
        typer.echo(message, err=True)
    raise typer.Exit(1)


UNKNOWN_NB = {"office": "ukjent Nav-kontor", "provider": "ukjent tilbyder",
              "provider_orgnr": "ingen registrert tilbyder har organisasjonsnummeret"}


def _print_rejected(summary: dict) -> None:
    """Each unknown office or provider once, with the lines naming it and what to do; then the other bad rows
    the server listed (the first hundred), and how many more there are."""
    for u in summary.get("unknown", []):
        lines = ", ".join(map(str, u["lines"])) + (" …" if u["count"] > len(u["lines"]) else "")
        rows = f"{u['count']} rad" + ("" if u["count"] == 1 else "er")
        typer.echo(f"  linje {lines}: {UNKNOWN_NB.get(u['field'], u['field'])} «{u['name']}» ({rows}). "
                   f"{u['what_to_do']}", err=True)
    for r in summary["rejected"]:
        if not r.get("unknown"):
            typer.echo(f"  linje {r['line']}: {r['reason']}", err=True)
    listed = len(summary["rejected"])
    if summary.get("rejected_count", listed) > listed:
        typer.echo(f"  … og flere: {summary['rejected_count']} ugyldige rader i alt.", err=True)


def _with_rejections(summary: dict, body: dict) -> None:
    """The dry run's bad rows (the server lists the first hundred, counts them all, names unknowns once)."""
    summary["rejected"] = body["rejected"]
    if body["rejected"]:
        summary["rejected_count"] = body.get("rejected_count", len(body["rejected"]))
        summary["unknown"] = body.get("unknown", [])


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
    data = file.read_bytes()
    summary = {"file": file.name, "rows": 0, "stays_created": 0, "already_imported": 0, "rejected": [],
               "written": False, "partial": partial}
    try:
        total, chunks = _chunks(data, CHUNK_ROWS)
    except (UnicodeDecodeError, csv.Error) as exc:
        _fail(f"Filen kan ikke leses som UTF-8 CSV: {exc}", fmt, summary)
    summary["rows"] = total
    with api_session(address, user, password, timeout=600) as client:
        if fmt == "text":
            typer.echo(f"Kontrollerer {total} rader i {file.name} …", err=True)
        checked = client.post(URL, params={"dry_run": "true", "partial": str(partial).lower()}, content=data,
                              headers={"Content-Type": "text/csv; charset=utf-8"})
        if checked.status_code not in (200, 422) or "rows" not in (body := checked.json()):
            _fail(f"Importen ble avvist: {error_text(checked)}", fmt, summary)
        _with_rejections(summary, body)
        if body["rejected"] and not partial:
            if fmt == "text":
                typer.echo(f"Filen ble avvist: {summary['rejected_count']} ugyldige rader. Ingenting er lagret.",
                           err=True)
                _print_rejected(summary)
                raise typer.Exit(1)
            _fail("rejected: nothing written", fmt, summary)
        bad_lines = {r["line"] for r in body["rejected"]}
        all_listed = summary.get("rejected_count", 0) == len(body["rejected"])
        with typer.progressbar(length=total, label="Importerer", file=sys.stderr,
                               hidden=fmt == "json" and not sys.stderr.isatty()) as bar:
            for first_line, count, chunk in chunks:
                response = client.post(URL, params={"partial": str(partial).lower(), "first_line": first_line},
                                       content=chunk, headers={"Content-Type": "text/csv; charset=utf-8"})
                if response.status_code != 200:
                    summary["written"] = summary["stays_created"] > 0
                    _fail(f"Import stoppet ved linje {first_line} ({error_text(response)}); rader før den er "
                          "lagret. Kjør samme kommando igjen: det som alt er importert, endres ikke.", fmt, summary)
                part = response.json()
                summary["stays_created"] += part["stays_created"]
                summary["already_imported"] += part["already_imported"]
                # Cross-row checks need the whole file: the dry run's answer is the one reported (and what a
                # chunk refused besides, when the dry run listed every bad row).
                if all_listed:
                    more = [r for r in part["rejected"] if r["line"] not in bad_lines]
                    summary["rejected"] += more
                    if more:
                        summary["rejected_count"] = summary.get("rejected_count", 0) + len(more)
                        summary.setdefault("unknown", [])
                bar.update(count)
    summary["written"] = summary["stays_created"] > 0
    if fmt == "json":
        typer.echo(json.dumps(summary, ensure_ascii=False))
    else:
        typer.echo(f"{summary['rows']} rader: {summary['stays_created']} nye opphold, "
                   f"{summary['already_imported']} var importert fra før, "
                   f"{summary.get('rejected_count', 0)} avvist.")
        _print_rejected(summary)
    if summary["rejected"]:
        raise typer.Exit(1 if not partial else 0)


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
    if r.status_code not in (200, 422) or "rows" not in (body := r.json()):
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
