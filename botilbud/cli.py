"""The `botilbud` command."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import typer

from botilbud import cli_billing, cli_import, cli_offices, cli_outbox, cli_stats
from botilbud.api_client import running_system
from botilbud.settings import Settings
from kit.logging import configure_logging


def run_event_loop(main) -> None:
    """Run the system on uvloop where it exists (Linux, macOS): the stack spends much of its time in socket
    reads and writes to PostgreSQL, Kafka and HTTP clients, which uvloop does in C (bench/RESULTS.md)."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
    else:
        uvloop.run(main)

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
    run_event_loop(serve(settings, target))


@app.command()
def migrate(target: str = typer.Option("all")):
    """Run the schema migrations of the chosen services against the databases in the settings (the kit's and the
    service's; one migrator at a time per database)."""
    from botilbud.stack import definitions
    from kit.migrations import migrate as migrate_database

    settings = Settings()
    configure_logging(settings.log_level, settings.log_json)

    async def _go():
        for d in definitions(target):
            await migrate_database(settings.service_database_url(d.name), d.migrations)
            typer.echo(f"{d.name}: migrated")

    asyncio.run(_go())


@app.command("rotate-keys")
def rotate_keys():
    """Re-encrypt intake's personal data with the newest key (the first of BOTILBUD_ENCRYPTION_KEYS); then the
    older keys can be removed. Needs the database and keys in the settings."""
    from services.intake.bootstrap import rotate_keys as rotate

    settings = Settings()
    configure_logging(settings.log_level, settings.log_json)
    typer.echo(f"intake: {asyncio.run(rotate(settings))} encrypted values rewritten with the newest key")


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


@app.command()
def status(address: str | None = typer.Option(None, help="Address of a running system; default: this one's.")):
    """Is the running system ready? Prints its readiness checks; exits 1 when it is not ready."""
    import httpx

    url = running_system(address)
    try:
        response = httpx.get(f"{url}/readyz", timeout=5)
    except httpx.HTTPError as exc:
        typer.echo(f"{url}: not reachable ({exc})", err=True)
        raise typer.Exit(1) from exc
    typer.echo(json.dumps({"url": url, **response.json()}, ensure_ascii=False))
    if response.status_code != 200:
        raise typer.Exit(1)


@app.command()
def verify(address: str | None = typer.Option(None, help="Address of a running system; default: this one's."),
           grace: float = typer.Option(10.0, help="Seconds an event may be in flight before it counts as lost."),
           within: float = typer.Option(0.0, help="Verify again until all holds or this many seconds passed.")):
    """Check the invariants on a live system (nothing lost, doubled or left unbilled; stats equal placement's
    tables; dead letters hold only poison) and say what is off. Needs every service's database and the
    secret key in the settings; exits 1 when an invariant is broken."""
    from botilbud.verify import operator_token, resolve, verify_until

    settings, url, bootstrap = resolve(Settings(), address)
    report = asyncio.run(verify_until(settings, within, address=url, token=operator_token(settings),
                                      bootstrap=bootstrap, grace_seconds=grace))
    typer.echo(report.text())
    if not report.ok:
        raise typer.Exit(1)


@app.command("settings")
def settings_command():
    """Print the table of settings (environment variables) in Markdown."""
    from botilbud.settings import settings_table

    typer.echo(settings_table())


# The commands of the services' users: registered here, in one place.
cli_billing.register(app)  # botilbud requisitions …, botilbud invoices …
cli_stats.register(app)  # botilbud kostra …, botilbud stats rebuild
cli_import.register(app)  # botilbud import-stays FILE.csv, botilbud providers import FILE.csv
cli_offices.register(app)  # botilbud offices import FILE.csv
cli_outbox.register(app)  # botilbud outbox republish, botilbud outbox status

if __name__ == "__main__":
    app()
