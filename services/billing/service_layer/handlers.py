"""Billing's use cases."""

from __future__ import annotations

from collections.abc import Callable

from services.billing.domain import model
from services.billing.domain.commands import CloseRequisition, IssueRequisition
from services.billing.service_layer.unit_of_work import BillingUnitOfWork

CONSUMER = "billing"


async def issue_requisition(cmd: IssueRequisition, uow_factory: Callable[[], BillingUnitOfWork]) -> bool:
    async with uow_factory() as uow:
        if not await uow.claim_event(CONSUMER, cmd.event_id):
            return False
        requisition = model.issue(
            sequence=await uow.repo.next_sequence(), stay_id=cmd.stay_id, household_id=cmd.household_id,
            office_id=cmd.office_id, provider_id=cmd.provider_id, provider_name=cmd.provider_name,
            provider_orgnr=cmd.provider_orgnr, unit_id=cmd.unit_id, agreement_kind=cmd.agreement_kind,
            check_in=cmd.check_in, authorised_to=cmd.authorised_to, price_per_night=cmd.price_per_night)
        await uow.repo.add(requisition)
        uow.emit(model.RequisitionIssued(requisition))
        await uow.commit()
        return True


async def close_requisition(cmd: CloseRequisition, uow_factory: Callable[[], BillingUnitOfWork]) -> bool:
    async with uow_factory() as uow:
        if not await uow.claim_event(CONSUMER, cmd.event_id):
            return False
        requisition = await uow.repo.open_for_stay(cmd.stay_id)
        if requisition is None:
            # Placed and moved-out share a key, so order holds; a missing requisition is a real fault.
            raise LookupError(f"no requisition for stay {cmd.stay_id}")
        event = model.close_at_move_out(requisition, cmd.check_out)
        if event is not None:
            await uow.repo.save_closed(requisition)
            uow.emit(event)
        await uow.commit()
        return True
