"""The audit log: who viewed, searched or transferred a person's data, when, which household and why."""

from dataclasses import asdict

from fastapi import APIRouter

from kit.paging import PageOut
from services.intake.entrypoints.deps import AuditReader, Queries
from services.intake.entrypoints.lists import AuditFiltersApi, AuditPaging
from services.intake.entrypoints.schemas import AuditOut

router = APIRouter(prefix="/api/audit", tags=["audit"])


@router.get("", response_model=PageOut[AuditOut])
async def get_audit(user: AuditReader, queries: Queries, paging: AuditPaging, filters: AuditFiltersApi):
    """Leader: the own office's entries; admin: all. One page, newest first unless `sort` says otherwise,
    narrowed by `action`, `username` and the days `date_from`–`date_to` (Norway's time, both included)."""
    return PageOut.of(await queries.audit_entries(user.office_id, paging, filters), lambda r: AuditOut(**asdict(r)))
