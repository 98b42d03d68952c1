"""Billing's web app: the API routers and the page routers, and its errors answered in one place."""

from __future__ import annotations

from fastapi import FastAPI

from kit.messagebus import MessageBus
from kit.people import PeopleLookup
from kit.problems import install_error_handlers
from services.billing.adapters.post import RequisitionPapers
from services.billing.adapters.queries import BillingQueries
from services.billing.entrypoints.api import export, households, invoices, requisitions, settlement
from services.billing.entrypoints.errors import STATUS
from services.billing.entrypoints.pages import export as export_page
from services.billing.entrypoints.pages import invoices as invoice_pages
from services.billing.entrypoints.pages import requisitions as requisition_pages

ROUTERS = (requisitions.router, households.router, invoices.router, settlement.router, export.router,
           requisition_pages.router, invoice_pages.router, export_page.router)


def create_app(*, bus: MessageBus, queries: BillingQueries, people: PeopleLookup, papers: RequisitionPapers,
               mail_configured: bool) -> FastAPI:
    """`people`: who a household is, intake's answer when a page is drawn; `papers` makes a requisition's PDF;
    `mail_configured`: whether requisitions are sent (a mail server is set)."""
    app = FastAPI(title="Botilbud billing", version="1", description="Rekvisisjoner og fakturaer.")
    app.state.bus, app.state.queries, app.state.people, app.state.papers = bus, queries, people, papers
    app.state.mail_configured = mail_configured
    install_error_handlers(app, STATUS)
    for router in ROUTERS:
        app.include_router(router)
    return app
