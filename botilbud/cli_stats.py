"""`botilbud kostra` (and `botilbud stats …`): stats' numbers from a running system, over its HTTP API."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import typer

from botilbud.api_client import api_session, error_text

KOSTRA_KEYS = (
    "households", "households_over_3_months", "households_14_days_or_less", "households_with_children",
    "households_with_children_over_3_months", "young_households", "young_households_over_3_months",
    "night_shelter_households",
)


def _fail(response: httpx.Response) -> None:
    typer.echo(f"Error {error_text(response)}", err=True)
    raise typer.Exit(1)


def kostra(
    year: int = typer.Option(..., help="Reporting year."),
    municipality: str = typer.Option(..., help="Kommunenummer, 4 digits (0301 = Oslo)."),
    district: str | None = typer.Option(None, help="Oslo district (bydel), e.g. Grünerløkka."),
    format: str = typer.Option("json", help="json (one object), table, csv or xlsx."),
    output: Path | None = typer.Option(None, "--output", "-o", help="File for csv/xlsx (default: stdout for csv)."),
    address: str | None = typer.Option(None, help="The running system's address (default: the local run file)."),
    user: str | None = typer.Option(None, help="User name (or BOTILBUD_USER)."),
    password: str | None = typer.Option(None, help="Password (or BOTILBUD_PASSWORD)."),
):
    """The KOSTRA counters (SSB skjema 13) for a year, municipality and district."""
    if format not in ("json", "table", "csv", "xlsx"):
        raise typer.BadParameter("choose json, table, csv or xlsx", param_hint="--format")
    params = {"year": year, "municipality": municipality, **({"district": district} if district else {})}
    with api_session(address, user, password, timeout=60) as client:
        wire = "json" if format in ("json", "table") else format
        response = client.get("/stats/api/kostra", params={**params, "format": wire})
        if response.status_code != 200:
            _fail(response)
        if format == "json":
            report = response.json()
            out = {"year": report["year"], "municipality": report["municipality"], "district": report["district"],
                   **{k: report[k] for k in KOSTRA_KEYS}}
            typer.echo(json.dumps(out, ensure_ascii=False))
        elif format == "table":
            report = response.json()
            typer.echo(f"KOSTRA {year}, kommune {municipality}" + (f", bydel {district}" if district else ""))
            for k in KOSTRA_KEYS:
                typer.echo(f"  {k:<42} {report[k]:>8}")
            typer.echo("Settings: " + ", ".join(f"{k}={v}" for k, v in report["settings"].items()))
        elif output is not None:
            output.write_bytes(response.content)
            typer.echo(str(output))
        elif format == "csv":
            typer.echo(response.content.decode("utf-8-sig"), nl=False)
        else:
            raise typer.BadParameter("xlsx needs --output FILE", param_hint="--output")


def rebuild(
    address: str | None = typer.Option(None, help="The running system's address (default: the local run file)."),
    user: str | None = typer.Option(None, help="User name (or BOTILBUD_USER); operations or admin."),
    password: str | None = typer.Option(None, help="Password (or BOTILBUD_PASSWORD)."),
):
    """Rebuild stats' projections from the beginning of the event topics (built aside and swapped in; the
    numbers stay if the log lacks events stats has applied, and the error says how many)."""
    with api_session(address, user, password, timeout=60) as client:
        response = client.post("/stats/api/rebuild", timeout=3600)
        if response.status_code != 200:
            _fail(response)
        typer.echo(f"Rebuilt from {response.json()['events_replayed']} events.")


stats_app = typer.Typer(help="Statistics: KOSTRA and the projections behind it.")
stats_app.command("kostra")(kostra)
stats_app.command("rebuild")(rebuild)


def register(app: typer.Typer) -> None:
    """`botilbud kostra …` and `botilbud stats kostra|rebuild …`."""
    app.command("kostra")(kostra)
    app.add_typer(stats_app, name="stats")
