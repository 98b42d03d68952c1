"""Placement's stay events a batch at a time (the message bus's batch handler, kit/messagebus.py). A stay that
has or gets a requisition goes through the handlers one command at a time, in order, as ever. A stay without one
— imported history that ended before the day of import, a refused placement: nearly all of a history import —
only needs billing to know its nights, and the batch's such stays are recorded together, in a few statements
instead of a few per event (bench/RESULTS.md, issue 14.6). The rules are the handlers': an extension or move-out
of a stay billing does not know is a fault (the batch fails and the consumer handles its events one by one)."""

from __future__ import annotations

from services.billing.domain import commands, model
from services.billing.service_layer.handlers import HANDLERS
from services.billing.service_layer.unit_of_work import BillingUnitOfWork

STAY_COMMANDS = (commands.IssueRequisition, commands.RefusePlacement, commands.ExtendRequisition,
                 commands.CloseRequisition)


def _due(cmd) -> bool:
    return isinstance(cmd, commands.IssueRequisition) and model.requisition_due(
        imported=cmd.imported, imported_on=cmd.imported_on, check_out=cmd.imported_check_out)


async def stays_together(cmds: list, uow: BillingUnitOfWork) -> None:
    ids = list({cmd.stay_id for cmd in cmds})
    with_requisition = await uow.repo.stays_with_requisition(ids) | {cmd.stay_id for cmd in cmds if _due(cmd)}
    known = {s.stay_id: s for s in await uow.repo.stays_of(ids)}
    new: dict = {}
    ended: dict = {}
    for cmd in cmds:
        if cmd.stay_id in with_requisition:
            await HANDLERS[type(cmd)](cmd, uow)
            uow.stage_events()  # its events as of now, before a later command of the batch changes the stay
        elif isinstance(cmd, commands.IssueRequisition | commands.RefusePlacement):
            if cmd.stay_id not in known:  # a repeat of a placement changes nothing, as add_stay's does not
                known[cmd.stay_id] = new[cmd.stay_id] = model.Stay(
                    cmd.stay_id, cmd.household_id, cmd.check_in, getattr(cmd, "imported_check_out", None))
        elif cmd.stay_id not in known:
            raise LookupError(f"no requisition for stay {cmd.stay_id}")
        elif isinstance(cmd, commands.CloseRequisition):
            known[cmd.stay_id].check_out = cmd.check_out
            ended[cmd.stay_id] = known[cmd.stay_id]
    await uow.repo.add_stays(list(new.values()))
    await uow.repo.save_stays([s for stay_id, s in ended.items() if stay_id not in new])
