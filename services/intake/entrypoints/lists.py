"""The filters and paging of intake's lists — the cases and the audit log — as typed dependencies: English
names on the API (`status`, `urgent`, `reference`; `action`, `username`, `date_from`, `date_to`), Norwegian on
the pages (`status`, `haster`, `referanse`; `handling`, `bruker`, `fra`, `til`), and kit/paging.py's `page`,
`page_size`, `sort` (pages: `side`, `per_side`, `sorter`). A field left empty in a page's form is no filter."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import Depends, Query

from kit.paging import BlankIsNone, Paging, paging_dependency
from services.intake.adapters.queries import AUDIT_SORTING, CASE_SORTING, AuditFilters, CaseFilters

CaseStatus = Literal["received", "awaiting_approval", "decided"]
Text = Annotated[str | None, BlankIsNone]
Day = Annotated[date | None, BlankIsNone]
Status = Annotated[CaseStatus | None, BlankIsNone]
YesNo = Annotated[bool | None, BlankIsNone]


def _case_filters(open_only: bool = False, status: Status = Query(None),
                  urgent: YesNo = Query(None), reference: Text = Query(None, max_length=40)) -> CaseFilters:
    return CaseFilters(open_only, status, urgent, reference.strip() if reference else None)


def _case_filters_page(alle: bool = False, status: Status = Query(None), haster: YesNo = Query(None),
                       referanse: Text = Query(None, max_length=40)) -> CaseFilters:
    """The page shows the open cases unless `alle`; a status asked for is shown whether open or not."""
    return CaseFilters(not alle and status is None, status, haster, referanse.strip() if referanse else None)


def _audit_filters(action: Text = Query(None, max_length=40), username: Text = Query(None, max_length=100),
                   date_from: Day = Query(None), date_to: Day = Query(None)) -> AuditFilters:
    return AuditFilters(action, username, date_from, date_to)


def _audit_filters_page(handling: Text = Query(None, max_length=40), bruker: Text = Query(None, max_length=100),
                        fra: Day = Query(None), til: Day = Query(None)) -> AuditFilters:
    return AuditFilters(handling, bruker.strip() if bruker else None, fra, til)


CaseFiltersApi = Annotated[CaseFilters, Depends(_case_filters)]
CaseFiltersPage = Annotated[CaseFilters, Depends(_case_filters_page)]
CasePaging = Annotated[Paging, Depends(paging_dependency(CASE_SORTING))]
CasePagingPage = Annotated[Paging, Depends(paging_dependency(CASE_SORTING, page=True))]
AuditFiltersApi = Annotated[AuditFilters, Depends(_audit_filters)]
AuditFiltersPage = Annotated[AuditFilters, Depends(_audit_filters_page)]
AuditPaging = Annotated[Paging, Depends(paging_dependency(AUDIT_SORTING))]
AuditPagingPage = Annotated[Paging, Depends(paging_dependency(AUDIT_SORTING, page=True))]
