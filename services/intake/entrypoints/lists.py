"""The filters and paging of intake's lists — the cases, the households and the audit log — as typed
dependencies: English names on the API (`status`, `urgent`, `reference`; `decision`, `has_children`,
`reference`; `action`, `username`, `date_from`, `date_to`), Norwegian on the pages (`status`, `haster`,
`referanse`; `vedtak`, `barn`, `referanse`; `handling`, `bruker`, `fra`, `til`), and kit/paging.py's `page`,
`page_size`, `sort` (pages: `side`, `per_side`, `sorter`). A field left empty in a page's form is no filter."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from kit.paging import FilterBool, FilterDate, Paging, filter_choice, filter_text, paging_dependency
from services.intake.adapters.queries import (
    AUDIT_SORTING,
    CASE_SORTING,
    HOUSEHOLD_SORTING,
    AuditFilters,
    CaseFilters,
    HouseholdFilters,
)

Status = filter_choice("received", "awaiting_approval", "decided")
Ref = filter_text(40)
DecisionState = filter_choice("in_effect", "awaiting_approval", "none")
User = filter_text(100)
Action = filter_text(40)
Day = FilterDate
YesNo = FilterBool


def _case_filters(open_only: bool = False, status: Status = None, urgent: YesNo = None,
                  reference: Ref = None) -> CaseFilters:
    return CaseFilters(open_only, status, urgent, reference.strip() if reference else None)


def _case_filters_page(alle: bool = False, status: Status = None, haster: YesNo = None,
                       referanse: Ref = None) -> CaseFilters:
    """The page shows the open cases unless `alle`; a status asked for is shown whether open or not."""
    return CaseFilters(not alle and status is None, status, haster, referanse.strip() if referanse else None)


def _household_filters(decision: DecisionState = None, has_children: YesNo = None,
                       reference: Ref = None) -> HouseholdFilters:
    return HouseholdFilters(decision, has_children, reference.strip() if reference else None)


def _household_filters_page(vedtak: DecisionState = None, barn: YesNo = None,
                            referanse: Ref = None) -> HouseholdFilters:
    return HouseholdFilters(vedtak, barn, referanse.strip() if referanse else None)


def _audit_filters(action: Action = None, username: User = None, date_from: Day = None,
                   date_to: Day = None) -> AuditFilters:
    return AuditFilters(action, username, date_from, date_to)


def _audit_filters_page(handling: Action = None, bruker: User = None, fra: Day = None,
                        til: Day = None) -> AuditFilters:
    return AuditFilters(handling, bruker.strip() if bruker else None, fra, til)


CaseFiltersApi = Annotated[CaseFilters, Depends(_case_filters)]
CaseFiltersPage = Annotated[CaseFilters, Depends(_case_filters_page)]
CasePaging = Annotated[Paging, Depends(paging_dependency(CASE_SORTING))]
CasePagingPage = Annotated[Paging, Depends(paging_dependency(CASE_SORTING, page=True))]
HouseholdFiltersApi = Annotated[HouseholdFilters, Depends(_household_filters)]
HouseholdFiltersPage = Annotated[HouseholdFilters, Depends(_household_filters_page)]
HouseholdPaging = Annotated[Paging, Depends(paging_dependency(HOUSEHOLD_SORTING))]
HouseholdPagingPage = Annotated[Paging, Depends(paging_dependency(HOUSEHOLD_SORTING, page=True))]
AuditFiltersApi = Annotated[AuditFilters, Depends(_audit_filters)]
AuditFiltersPage = Annotated[AuditFilters, Depends(_audit_filters_page)]
AuditPaging = Annotated[Paging, Depends(paging_dependency(AUDIT_SORTING))]
AuditPagingPage = Annotated[Paging, Depends(paging_dependency(AUDIT_SORTING, page=True))]
