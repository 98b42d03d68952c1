"""The audit log: who viewed, searched or transferred a person's data, when, which household and why."""

from dataclasses import asdict

from fastapi import APIRouter

from services.intake.entrypoints.deps import AuditReader, Queries
from services.intake.entrypoints.schemas import AuditOut

router = APIRouter(prefix="/api/audit", tags=["audit"])


@router.get("", response_model=list[AuditOut])
async def get_audit(user: AuditReader, queries: Queries):
    """Leader: the own office's entries; admin: all."""
    return [AuditOut(**asdict(r)) for r in await queries.audit_entries(user.office_id)]
