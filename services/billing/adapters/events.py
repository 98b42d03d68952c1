"""Translation of billing's domain events into the wire contracts."""

from collections.abc import Iterable

import contracts
from services.billing.domain import model


def translate(event: object) -> Iterable[contracts.IntegrationEvent]:
    match event:
        case model.RequisitionIssued(requisition=r):
            yield contracts.RequisitionIssued(
                requisition_id=r.id, number=r.number, stay_id=r.stay_id, household_id=r.household_id,
                office_id=r.office_id, provider_id=r.provider_id, provider_orgnr=r.provider_orgnr,
                unit_id=r.unit_id, agreement_kind=r.agreement_kind, period_from=r.period_from,
                period_to=r.period_to, price_per_night=r.price_per_night, max_amount=r.max_amount)
        case model.RequisitionClosed(requisition=r, reason=reason):
            yield contracts.RequisitionClosed(requisition_id=r.id, number=r.number, closed_from=r.closed_from,
                                              reason=reason)
        case _:
            raise TypeError(f"billing cannot translate {type(event).__name__}")
