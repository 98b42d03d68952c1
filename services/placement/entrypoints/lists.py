"""The filters and paging of placement's lists — the providers, the units and the office's stays — as typed
dependencies: English names on the API (`municipality`, `target_group`, `name`, `agreement_in_force`;
`provider`, `free_now`; `status`, `provider_id`), Norwegian on the pages (`kommune`, `malgruppe`, `navn`,
`avtale`; `tilbyder`, `ledig`; `status`, `tilbyder`), and
kit/paging.py's `page`, `page_size`, `sort` (pages: `side`, `per_side`, `sorter`). A field left empty in a
page's form is no filter."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Query
from pydantic import StringConstraints

from kit.paging import BlankIsNone, FilterBool, Paging, filter_choice, filter_text, paging_dependency
from services.placement.adapters.queries import PROVIDER_SORTING, STAY_SORTING, ProviderFilters, StayFilters
from services.placement.adapters.unit_list import UNIT_SORTING, UnitFilters
from services.placement.domain.providers import TARGET_GROUPS

Municipality = Annotated[Annotated[str, StringConstraints(pattern=r"^\d{4}$")] | None, BlankIsNone, Query()]
TargetGroup = filter_choice(*TARGET_GROUPS)
Name = filter_text(100)
StayStatus = filter_choice("ongoing", "planned", "ended")
ProviderId = Annotated[UUID | None, BlankIsNone, Query()]
STAY_STATUS_NB = {"ongoing": "Bor der nå", "planned": "Flytter inn senere", "ended": "Flyttet ut"}


def _provider_filters(municipality: Municipality = None, target_group: TargetGroup = None, name: Name = None,
                      agreement_in_force: FilterBool = None) -> ProviderFilters:
    return ProviderFilters(municipality, target_group, name.strip() if name else None, agreement_in_force)


def _provider_filters_page(kommune: Municipality = None, malgruppe: TargetGroup = None, navn: Name = None,
                           avtale: FilterBool = None) -> ProviderFilters:
    return ProviderFilters(kommune, malgruppe, navn.strip() if navn else None, avtale)


def _unit_filters(municipality: Municipality = None, provider: Name = None, target_group: TargetGroup = None,
                  free_now: FilterBool = None, agreement_in_force: FilterBool = None) -> UnitFilters:
    return UnitFilters(municipality, provider.strip() if provider else None, target_group, free_now,
                       agreement_in_force)


def _unit_filters_page(kommune: Municipality = None, tilbyder: Name = None, malgruppe: TargetGroup = None,
                       ledig: FilterBool = None, avtale: FilterBool = None) -> UnitFilters:
    return UnitFilters(kommune, tilbyder.strip() if tilbyder else None, malgruppe, ledig, avtale)


def _stay_filters(status: StayStatus = None, provider_id: ProviderId = None) -> StayFilters:
    return StayFilters(status, provider_id)


def _stay_filters_page(status: StayStatus = None, tilbyder: ProviderId = None) -> StayFilters:
    return StayFilters(status, tilbyder)


ProviderFiltersApi = Annotated[ProviderFilters, Depends(_provider_filters)]
ProviderFiltersPage = Annotated[ProviderFilters, Depends(_provider_filters_page)]
ProviderPaging = Annotated[Paging, Depends(paging_dependency(PROVIDER_SORTING))]
ProviderPagingPage = Annotated[Paging, Depends(paging_dependency(PROVIDER_SORTING, page=True))]
StayFiltersApi = Annotated[StayFilters, Depends(_stay_filters)]
StayFiltersPage = Annotated[StayFilters, Depends(_stay_filters_page)]
StayPaging = Annotated[Paging, Depends(paging_dependency(STAY_SORTING))]
StayPagingPage = Annotated[Paging, Depends(paging_dependency(STAY_SORTING, page=True))]
UnitFiltersApi = Annotated[UnitFilters, Depends(_unit_filters)]
UnitFiltersPage = Annotated[UnitFilters, Depends(_unit_filters_page)]
UnitPaging = Annotated[Paging, Depends(paging_dependency(UNIT_SORTING))]
UnitPagingPage = Annotated[Paging, Depends(paging_dependency(UNIT_SORTING, page=True))]
