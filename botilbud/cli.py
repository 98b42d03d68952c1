"""The `botilbud` command."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import typer

from botilbud.kit.logging import configure_logging
from botilbud.kit.settings import Settings

app = typer.Typer(help="Botilbud: midlertidig botilbud for Nav-kontorer.", no_args_is_help=True)
contracts_app = typer.Typer(help="The event contracts: JSON Schemas and the AsyncAPI document.")
app.add_typer(contracts_app, name="contracts")


@app.command()
def run(target: str = typer.Option("all", help="all, or one or more of intake,placement,billing,stats."),
        port: int | None = typer.Option(None, help="HTTP port (default from BOTILBUD_HTTP_PORT, 8080).")):
    """Start the system. Without a broker and database in the settings, the embedded ones start too."""
    from botilbud.stack import serve

    settings = Settings()
    configure_logging(settings.log_level, settings.log_json)
    if port is not None:
        settings = settings.model_copy(update={"http_port": port})
    asyncio.run(serve(settings, target))


@app.command()
def migrate(target: str = typer.Option("all")):
    """Run the schema migrations of the chosen services against the databases in the settings."""
    from botilbud.kit.db import ensure_database
    from botilbud.kit.migrations import upgrade
    from botilbud.stack import definitions

    settings = Settings()
    configure_logging(settings.log_level, settings.log_json)

    async def _go():
        for d in definitions(target):
            url = settings.service_database_url(d.name)
            await ensure_database(url)
            await upgrade(url, d.migrations)
            typer.echo(f"{d.name}: migrated")

    asyncio.run(_go())


@contracts_app.command("generate")
def contracts_generate(out: Path = typer.Option(Path("contracts/generated"))):
    """Write the JSON Schemas and the AsyncAPI document generated from the contract models."""
    from contracts.generate import write_all

    for path in write_all(out):
        typer.echo(path)


@contracts_app.command("check")
def contracts_check(out: Path = typer.Option(Path("contracts/generated"))):
    """Fail if the checked-in JSON Schemas or AsyncAPI document differ from what the code generates."""
    from contracts.generate import stale_files

    stale = stale_files(out)
    if stale:
        typer.echo("Out of date (run `botilbud contracts generate`): " + ", ".join(stale), err=True)
        raise typer.Exit(1)
    typer.echo("contracts: generated files are up to date")


def running_system(address: str | None) -> str:
    """The address of a running system: the one given, or the embedded stack's from its run file."""
    if address:
        return address.rstrip("/")
    run_file = Settings().home / "run.json"
    if not run_file.exists():
        raise typer.BadParameter("No running system found: start one with `botilbud run`, or give --address.")
    return json.loads(run_file.read_text())["url"]

from botilbud.cli_stats import register as _register_stats  # noqa: E402

_register_stats(app)
