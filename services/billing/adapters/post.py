"""Sending one mailing of a requisition: the PDF made with the guest's name and birth date — asked of intake with
billing's service credential for the requisition's office, on behalf of the case worker who placed (intake
audits it as theirs) — attached to an e-mail to the provider's address. Nothing of the guest is kept: the PDF
lives for the send, and the mailing keeps its size and SHA-256. The subject and the text name no one."""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import Callable, Mapping
from datetime import date

from kit.logging import get_logger
from kit.people import People, PeopleLookup
from services.billing.adapters import requisition_pdf
from services.billing.adapters.mail import Message, SmtpSender
from services.billing.adapters.papers import PaperContext
from services.billing.domain.papers import Mailing, NotSent, invoicing_for

log = get_logger(__name__)  # ids and reasons only
SUBJECT_NB = {"issued": "Rekvisisjon {number} – midlertidig botilbud",
              "extended": "Forlenget rekvisisjon {number} – midlertidig botilbud",
              "reissued": "Rekvisisjon {number} – midlertidig botilbud (sendt på nytt)"}
WHAT_NB = {"issued": "Vedlagt er rekvisisjonen for et midlertidig botilbud hos dere",
           "extended": "Oppholdet er forlenget. Vedlagt er den oppdaterte rekvisisjonen",
           "reissued": "Vedlagt er rekvisisjonen på nytt, slik den gjelder nå"}


def text_of(mailing: Mailing, context: PaperContext) -> str:
    r, office = context.requisition, context.office
    office_name = office.name if office else r.office_name or r.office_id
    phone = f", telefon {requisition_pdf.phone_nb(office.phone)}" if office and office.phone else ""
    return (f"Hei,\n\n{WHAT_NB[mailing.reason]}: første natt {mailing.period_from:%d.%m.%Y}, siste natt "
            f"{mailing.period_to:%d.%m.%Y}, rekvisisjonsnummer {r.number}.\n\n"
            f"Oppgi rekvisisjonsnummeret på fakturaen (EHF: cac:OrderReference/cbc:ID). Hvem gjesten er, og hvordan "
            f"dere fakturerer, står i vedlegget. Vedlegget inneholder personopplysninger: oppbevar det trygt.\n\n"
            f"Spørsmål om oppholdet: kontakt {office_name}{phone}.\n\nMed vennlig hilsen\n{office_name}\n")


class RequisitionPapers:
    """Makes a requisition's PDF: billing's tables, the settings' invoice recipients, and the guest as intake
    names them to the holder of `token` (a user downloading it, or billing's service credential)."""

    def __init__(self, *, people: PeopleLookup, recipients: Mapping[str, str], municipalities: Mapping[str, str],
                 today: Callable[[], date]):
        self._people, self._recipients, self._municipalities, self._today = people, recipients, municipalities, today

    async def pdf(self, context: PaperContext, *, token: str | None, purpose: str,
                  on_behalf_of: str | None = None) -> tuple[bytes, People]:
        """The PDF, and intake's answer (without a name for the guest when intake gave none)."""
        r = context.requisition
        people = await self._people.of([r.household_id], token=token, purpose=purpose, on_behalf_of=on_behalf_of)
        person = people.get(r.household_id)
        municipality = context.office.municipality if context.office else None
        paper = requisition_pdf.paper_of(
            context, requisition_pdf.Guest(person.name, person.birth_date) if person else None,
            invoicing=invoicing_for(self._recipients, office_id=r.office_id, municipality=municipality),
            municipality_name=self._municipalities.get(municipality) if municipality else None,
            issued_on=self._today(), guest_missing=requisition_pdf.NOT_REACHED_NB if people.note else None)
        return await asyncio.to_thread(requisition_pdf.render, paper), people


class RequisitionPost:
    def __init__(self, *, papers: RequisitionPapers, credential: Callable[[str], str], sender: SmtpSender | None):
        self._papers, self._credential, self._sender = papers, credential, sender

    async def send(self, mailing: Mailing, context: PaperContext | None) -> dict:
        """Make and send the mailing's PDF; what was sent (for the record), or NotSent with the reason."""
        if self._sender is None:
            raise NotSent("E-post er ikke satt opp (BOTILBUD_BILLING_SMTP_HOST); rekvisisjonen sendes når den er det.")
        if context is None:
            raise NotSent("Rekvisisjonen finnes ikke.")
        r = context.requisition
        if not context.provider_email:
            raise NotSent("Tilbyderen har ingen e-postadresse for rekvisisjoner. Legg den inn på tilbyderen i "
                          "plasseringen; da sendes rekvisisjonen.")
        pdf, people = await self._papers.pdf(context, token=self._credential(r.office_id),
                                             purpose=f"Rekvisisjon {r.number} sendt til tilbyderen (billing)",
                                             on_behalf_of=r.contact_username or "billing")
        if people.get(r.household_id) is None:  # never a requisition without the guest's name
            raise NotSent("Søknadstjenesten (intake) svarte ikke med gjestens navn; sendingen prøves igjen."
                          if people.note else "Søknadstjenesten (intake) ga ikke gjestens navn for dette kontoret.")
        domain = self._sender.sender.rpartition("@")[2] or "botilbud.invalid"
        message = Message(to=context.provider_email, subject=SUBJECT_NB[mailing.reason].format(number=r.number),
                          text=text_of(mailing, context), attachment_name=f"rekvisisjon-{r.number}.pdf",
                          attachment=pdf, message_id=f"<{mailing.id}@{domain}>")
        try:
            await self._sender.send(message)
        except (smtplib.SMTPException, OSError) as exc:
            log.warning("requisition_not_sent", mailing_id=str(mailing.id), reason=type(exc).__name__)
            raise NotSent(f"E-postserveren tok ikke imot meldingen ({type(exc).__name__}); den prøves igjen.") from exc
        log.info("requisition_sent", mailing_id=str(mailing.id), requisition=r.number, reason=mailing.reason)
        return {"recipient": message.to, "subject": message.subject, "attachment": message.attachment_name,
                "pdf": pdf, "message_id": message.message_id}
