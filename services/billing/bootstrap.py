"""Billing's composition root: the handlers with their dependencies (the price tolerance from billing's
settings, the one clock, the post that sends requisitions), the message bus, the web app, the subscriptions and
the background jobs (the gauges; the sender of requisitions, where a mail server is set)."""

from __future__ import annotations

import json
from decimal import Decimal
from functools import partial
from pathlib import Path

from contracts import reference
from kit import clock
from kit.auth import service_token
from kit.header import QUEUE_COUNT_PATH, CachedOfficeNames, RemoteCount
from kit.messagebus import MessageBus
from kit.metrics import every
from kit.people import PeopleLookup
from kit.runtime import ServiceContext, ServiceDefinition, ServiceParts
from services.billing.adapters import events
from services.billing.adapters.mail import SmtpSender
from services.billing.adapters.post import RequisitionPapers, RequisitionPost
from services.billing.adapters.queries import BillingQueries
from services.billing.config import BillingSettings
from services.billing.domain import commands
from services.billing.entrypoints import kafka, metrics
from services.billing.entrypoints.app import create_app
from services.billing.service_layer import handlers, jobs, stays
from services.billing.service_layer.unit_of_work import BillingUnitOfWork

NAME = "billing"
REFERENCE_FILE = Path(__file__).resolve().parents[2] / "demo" / "reference.json"


# Placement's stay events a batch at a time (service_layer/stays.py).
BATCH_HANDLERS = dict.fromkeys(stays.STAY_COMMANDS, stays.stays_together)


def bound_handlers(*, price_tolerance: Decimal, today=clock.today, now=clock.now, post=None) -> dict:
    """Every handler with its dependencies bound: one shape, `handler(cmd, uow)`, for the bus. `post` sends a
    requisition to its provider (adapters/post.py)."""
    deps = {
        commands.ImportDocuments: {"price_tolerance": price_tolerance, "today": today, "now": now},
        commands.AdjustLine: {"today": today, "now": now},
        commands.ApproveInvoice: {"now": now},
        commands.DisputeInvoice: {"now": now},
        commands.CreatePaymentExport: {"today": today, "now": now},
        commands.IssueRequisition: {"now": now},
        commands.ExtendRequisition: {"now": now},
        commands.SendRequisitionAgain: {"now": now},
        commands.SendMailing: {"post": post, "now": now},
    }
    return {cmd: partial(handler, **deps.get(cmd, {})) for cmd, handler in handlers.HANDLERS.items()}


def sender_from(settings: BillingSettings) -> SmtpSender | None:
    if not settings.smtp_host:
        return None
    return SmtpSender(settings.smtp_host, settings.smtp_port, settings.mail_from, settings.smtp_security,
                      settings.smtp_username,
                      settings.smtp_password.get_secret_value() if settings.smtp_password else None)


def invoice_recipients(settings: BillingSettings, *, demo: bool) -> dict[str, str]:
    """The setting, or with demo data and no setting the demo's (synthetic) numbers from demo/reference.json."""
    if settings.invoice_recipients or not demo:
        return dict(settings.invoice_recipients)
    demo_file = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    return {m["number"]: m["invoice_orgnr"] for m in demo_file["municipalities"] if m.get("invoice_orgnr")}


def build(ctx: ServiceContext) -> ServiceParts:
    settings = BillingSettings()
    uow_factory = partial(BillingUnitOfWork, ctx.pool, service=NAME, translate=events.translate,
                          topic=ctx.settings.topic)
    people = PeopleLookup(lambda: ctx.service_url("intake"))
    papers = RequisitionPapers(people=people, recipients=invoice_recipients(settings, demo=ctx.settings.demo_data),
                               municipalities=reference.municipalities(),
                               today=lambda: clock.today())  # looked up when asked: the one clock, as set then
    sender = sender_from(settings)
    post = RequisitionPost(papers=papers, credential=partial(service_token, ctx.signer, NAME), sender=sender)
    bus = MessageBus(uow_factory, bound_handlers(price_tolerance=settings.price_tolerance_nok, post=post),
                     consumer=NAME, batch_handlers=BATCH_HANDLERS)
    queries = BillingQueries(ctx.pool)
    background = {"billing-gauges": every(10, partial(metrics.refresh, queries), "billing-gauges")}
    if sender is not None:  # without a mail server the mailings wait (the requisition page says so)
        background["billing-requisition-mailer"] = every(
            settings.mail_interval_seconds, partial(jobs.send_due_mailings, bus, queries, clock.now),
            "billing-requisition-mailer")
    app = create_app(bus=bus, queries=queries, people=people, papers=papers, mail_configured=sender is not None)
    app.state.header_count = RemoteCount(lambda: ctx.service_url("intake").rstrip("/") + QUEUE_COUNT_PATH)
    app.state.header_office_name = CachedOfficeNames(queries.office_names)
    return ServiceParts(app=app, subscriptions=kafka.subscriptions(bus), background=background)


definition = ServiceDefinition(name=NAME, title="Rekvisisjoner og fakturaer",
                               migrations=Path(__file__).parent / "adapters" / "migrations" / "versions", build=build)
