"""`botilbud requisitions …` and `botilbud invoices …`: billing from the command line, for scripts.

Talks to a running system over its HTTP API (the address given, or the local `botilbud run`'s), with a bearer
token from POST /api/token. Credentials from --user/--password or BOTILBUD_USER/BOTILBUD_PASSWORD."""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path

import typer

from botilbud.api_client import api_session, error_text

requisitions_app = typer.Typer(help="Rekvisisjoner (requisitions).", no_args_is_help=True)
invoices_app = typer.Typer(help="Leverandørfakturaer (supplier invoices).", no_args_is_help=True)

ADDRESS = typer.Option(None, "--address", help="The running system, e.g. http://127.0.0.1:8080.")
USER = typer.Option(..., "--user", envvar="BOTILBUD_USER", help="Username (or BOTILBUD_USER).")
PASSWORD = typer.Option(..., "--password", envvar="BOTILBUD_PASSWORD", help="Password (or BOTILBUD_PASSWORD).",
                        hide_input=True)
FORMAT = typer.Option("text", "--format", help="text or json.")


def register(app: typer.Typer) -> None:
    app.add_typer(requisitions_app, name="requisitions")
    app.add_typer(invoices_app, name="invoices")


def _check_format(fmt: str) -> str:
    if fmt not in ("text", "json"):
        raise typer.BadParameter("--format must be text or json")
    return fmt


@requisitions_app.command("list")
def list_requisitions(fmt: str = FORMAT, address: str | None = ADDRESS, user: str = USER,
                      password: str = PASSWORD):
    """List the requisitions the user may see."""
    _check_format(fmt)
    rows: list[dict] = []
    with api_session(address, user, password) as client:
        page = 1
        while True:  # every page of the list (200 a page, newest first)
            response = client.get("/billing/api/requisitions", params={"page": page, "page_size": 200})
            if response.status_code != 200:
                typer.echo(f"requisitions: {error_text(response)}", err=True)
                raise typer.Exit(1)
            body = response.json()
            rows += body["items"]
            if page >= body["pages"]:
                break
            page += 1
    if fmt == "json":
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        typer.echo(f"{r['number']}  {r['status']:<6}  {r['period_from']}–{r['period_to']}  "
                   f"{r['price_per_night']:>9} kr/natt  {r['provider_name']} ({r['provider_orgnr']})")


@invoices_app.command("import")
def import_invoices(files: list[Path] = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                                                       help="EHF XML (invoice or credit note) or CSV files."),
                    fmt: str = FORMAT, address: str | None = ADDRESS, user: str = USER, password: str = PASSWORD):
    """Import supplier invoices; prints each invoice's status and, per line, the requisition, claimed and
    payable nights and amounts, and the finding codes (in text, each finding's reason too, e.g. nights not
    yet stayed). Exit code 1 if any file was refused."""
    _check_format(fmt)
    results, reasons, refused = [], {}, False
    with api_session(address, user, password) as client:
        for path in files:
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            response = client.post("/billing/api/invoices", content=path.read_bytes(),
                                   headers={"content-type": content_type, "x-filename": path.name})
            if response.status_code != 201:
                typer.echo(f"{path}: {error_text(response)}", err=True)
                refused = True
                continue
            for invoice in response.json()["invoices"]:
                reasons[invoice["invoice_id"]] = [line["reasons"] for line in invoice["lines"]]
                results.append({
                    "file": str(path), "invoice_id": invoice["invoice_id"], "kind": invoice["kind"],
                    "invoice_number": invoice["invoice_number"], "supplier_orgnr": invoice["supplier_orgnr"],
                    "status": invoice["status"], "claimed": invoice["claimed"], "payable": invoice["payable"],
                    "findings": invoice["findings"],
                    "lines": [{k: line[k] for k in ("line_id", "requisition", "claimed_nights", "payable_nights",
                                                     "claimed_amount", "payable_amount", "status", "findings")}
                              for line in invoice["lines"]]})
    if fmt == "json":
        typer.echo(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        for inv in results:
            typer.echo(f"{inv['file']}: {inv['kind']} {inv['invoice_number']} fra {inv['supplier_orgnr']} – "
                       f"{inv['status']}, fakturert {inv['claimed']}, til betaling {inv['payable']}"
                       + (f"  [{', '.join(inv['findings'])}]" if inv["findings"] else ""))
            for line, why in zip(inv["lines"], reasons[inv["invoice_id"]], strict=True):
                typer.echo(f"  linje {line['line_id']}: {line['requisition'] or '–'}  netter "
                           f"{line['claimed_nights']}→{line['payable_nights']}  beløp {line['claimed_amount']}→"
                           f"{line['payable_amount']}  {line['status']}"
                           + (f"  [{', '.join(line['findings'])}]" if line["findings"] else ""))
                for reason in why:
                    typer.echo(f"    – {reason}")
    if refused:
        raise typer.Exit(1)
