"""Decisions (vedtak): extend, approve (the second approval, and the leader's justification past three
months), send back, and the decision letter."""

import asyncio

from fastapi import APIRouter
from fastapi.responses import Response

from services.intake.adapters import decision_letter
from services.intake.domain.commands import ApproveDecision, ReturnDecision, ViewDecisionLetter
from services.intake.entrypoints.deps import Bus, Leader, VisibleDecision, Worker, actor_of
from services.intake.entrypoints.mapping import decision_out, extension_command
from services.intake.entrypoints.schemas import ApprovalIn, DecisionOut, ExtensionIn, ReturnIn

router = APIRouter(prefix="/api/decisions/{decision_id}", tags=["decisions"])


@router.post("/extension", status_code=201, response_model=DecisionOut)
async def post_extension(decision: VisibleDecision, body: ExtensionIn, user: Worker, bus: Bus):
    """Extend (forlengelse): a new granted decision from the day after the previous period."""
    return decision_out(await bus.handle(extension_command(body, actor_of(user), decision.id)))


@router.post("/approval", response_model=DecisionOut)
async def post_approval(decision: VisibleDecision, user: Leader, bus: Bus, body: ApprovalIn | None = None):
    """Approval by an office leader other than the one who decided; the decision takes effect. A decision that
    takes a family with children or a young applicant past three months needs `justification`."""
    justification = body.justification if body else None
    return decision_out(await bus.handle(ApproveDecision(actor_of(user), decision.id, justification)))


@router.post("/return", response_model=DecisionOut)
async def post_return(decision: VisibleDecision, body: ReturnIn, user: Leader, bus: Bus):
    """Send a decision awaiting approval back to the case worker."""
    return decision_out(await bus.handle(ReturnDecision(actor_of(user), decision.id, body.reason)))


@router.get("/letter.pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}, "description": "The decision letter as a PDF."},
                       409: {"description": "The decision has not taken effect: it has no letter yet."}})
async def get_letter(decision: VisibleDecision, user: Worker, bus: Bus) -> Response:
    """The decision letter (vedtaksbrev) to send the person, for a decision that has taken effect, granted or
    refused. It names the person: the download is audited."""
    letter = await bus.handle(ViewDecisionLetter(actor_of(user), decision.id))
    pdf = await asyncio.to_thread(decision_letter.render, letter)
    name = f"vedtaksbrev-{letter.case.reference or letter.dated.isoformat()}.pdf"
    return Response(pdf, media_type="application/pdf", headers={"content-disposition": f'inline; filename="{name}"'})
