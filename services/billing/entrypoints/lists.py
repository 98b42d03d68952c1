"""The filters and paging of billing's lists — the requisitions and the invoices — as typed dependencies:
English names on the API (`status`, `provider`, `period_from`, `period_to`, `stay_id`; `status`, `decided`,
`supplier`, `received_from`, `received_to`), Norwegian on the pages (`status`, `tilbyder`, `fra`, `til`;
`status`, `behandlet`, `leverandor`, `fra`, `til`), and kit/paging.py's `page`, `page_size`, `sort` (pages:
`side`, `per_side`, `sorter`). A field left empty in a page's form is no filter."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Query

from kit.paging import BlankIsNone, FilterBool, FilterDate, Paging, filter_choice, filter_text, paging_dependency
from services.billing.adapters.queries import (
    INVOICE_SORTING,
    REQUISITION_SORTING,
    InvoiceFilters,
    RequisitionFilters,
)

RequisitionStatus = filter_choice("open", "closed")
InvoiceStatus = filter_choice("matched", "adjusted", "disputed")
Party = filter_text(100)
StayId = Annotated[UUID | None, BlankIsNone, Query(description="Only the requisitions of this stay.")]


def _strip(text: str | None) -> str | None:
    return text.strip() or None if text else None


def _requisition_filters(status: RequisitionStatus = None, provider: Party = None, period_from: FilterDate = None,
                         period_to: FilterDate = None, stay_id: StayId = None) -> RequisitionFilters:
    return RequisitionFilters(status, _strip(provider), period_from, period_to, stay_id)


def _requisition_filters_page(status: RequisitionStatus = None, tilbyder: Party = None, fra: FilterDate = None,
                              til: FilterDate = None) -> RequisitionFilters:
    return RequisitionFilters(status, _strip(tilbyder), fra, til)


def _invoice_filters(status: InvoiceStatus = None, decided: FilterBool = None, supplier: Party = None,
                     received_from: FilterDate = None, received_to: FilterDate = None) -> InvoiceFilters:
    return InvoiceFilters(status, decided, _strip(supplier), received_from, received_to)


def _invoice_filters_page(status: InvoiceStatus = None, behandlet: FilterBool = None, leverandor: Party = None,
                          fra: FilterDate = None, til: FilterDate = None) -> InvoiceFilters:
    return InvoiceFilters(status, behandlet, _strip(leverandor), fra, til)


RequisitionFiltersApi = Annotated[RequisitionFilters, Depends(_requisition_filters)]
RequisitionFiltersPage = Annotated[RequisitionFilters, Depends(_requisition_filters_page)]
RequisitionPaging = Annotated[Paging, Depends(paging_dependency(REQUISITION_SORTING))]
RequisitionPagingPage = Annotated[Paging, Depends(paging_dependency(REQUISITION_SORTING, page=True))]
InvoiceFiltersApi = Annotated[InvoiceFilters, Depends(_invoice_filters)]
InvoiceFiltersPage = Annotated[InvoiceFilters, Depends(_invoice_filters_page)]
InvoicePaging = Annotated[Paging, Depends(paging_dependency(INVOICE_SORTING))]
InvoicePagingPage = Annotated[Paging, Depends(paging_dependency(INVOICE_SORTING, page=True))]
