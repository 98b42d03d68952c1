"""What placement's imports answer (the stay history, the providers): the rows at fault with their lines, each
unknown name once, and what was (or would be) done — a bounded number of each, never the input."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from pydantic import BaseModel, Field

from services.placement.adapters.queries import ImportRunRow
from services.placement.domain.history import RowError

STALLED_AFTER = timedelta(minutes=2)  # a running import without progress this long has lost its writer


class RejectedRowOut(BaseModel):
    line: int
    reason: str
    field: str | None
    unknown: bool = Field(False, description="The row names an unknown office or provider (listed once in "
                                             "`unknown`, with its lines).")


class UnknownNameOut(BaseModel):
    field: str = Field(description="`office`, `provider` or `provider_orgnr`.")
    name: str
    lines: list[int] = Field(description="The first lines that name it.")
    count: int = Field(description="How many rows name it.")
    what_to_do: str


class ImportOut(BaseModel):
    rows: int
    stays_created: int
    stays_to_create: int | None = Field(description="A dry run: the stays an import would create.")
    already_imported: int
    written: bool
    dry_run: bool
    partial: bool
    rejected: list[RejectedRowOut] = Field(description="The first bad rows, each with its line and reason.")
    rejected_count: int = Field(description="Every bad row, listed or not.")
    unknown: list[UnknownNameOut] = Field(description="Each unknown office or provider once, with its lines.")
    stay_ids: list[UUID] = Field(description="The first new stays' ids.")


class FileRejectedOut(BaseModel):
    """A file that is not in the format at all (line 1, or a line that cannot be read as CSV)."""

    detail: list[dict] = Field(description="One entry: `loc` [\"body\"], `msg` (\"Linje 1: …\"), `type` format.")


class ImportRejectedOut(ImportOut):
    detail: list[dict] = Field(description="One entry per listed bad row: `loc` (line, field) and `msg` "
                                           "(\"Linje N: …\").")


def rejected_rows(errors: list[RowError]) -> list[RejectedRowOut]:
    return [RejectedRowOut(line=e.line, reason=e.reason, field=e.field, unknown=e.unknown is not None)
            for e in errors]


def rejected_detail(errors: list[RowError]) -> list[dict]:
    """The problem-style list of a rejected file: one entry per listed row, `loc` its line (and column)."""
    return [{"loc": ["body", f"line {e.line}"] + ([e.field] if e.field else []), "msg": f"Linje {e.line}: {e.reason}",
             "type": "bad_row"} for e in errors]


class ProviderStepOut(BaseModel):
    line: int = Field(description="The row (the first row of a provider) it comes from.")
    action: str = Field(description="`register_provider`, `change_provider`, `register_unit` or `change_unit`.")
    orgnr: str
    provider: str
    unit: str | None
    columns: list[str] = Field(description="The columns whose values change (a change).")


class ProvidersImportOut(BaseModel):
    rows: int
    providers_registered: int = Field(description="New providers (in a dry run: that the import would register).")
    providers_changed: int
    providers_unchanged: int
    units_registered: int
    units_changed: int
    units_unchanged: int
    written: bool
    dry_run: bool
    partial: bool
    changes: list[ProviderStepOut] = Field(description="The first registrations and changes, in the file's order.")
    changes_count: int
    rejected: list[RejectedRowOut] = Field(description="The first problems, each with its line, column and reason.")
    rejected_count: int = Field(description="Every problem, listed or not.")


class ProvidersImportRejectedOut(ProvidersImportOut):
    detail: list[dict] = Field(description="One entry per listed problem: `loc` (line, column) and `msg` "
                                           "(\"Linje N: …\").")


class ImportRunOut(BaseModel):
    """A history import run: checked once, written in chunks in the background."""

    run_id: UUID
    status: str = Field(description="`running`, `done` or `failed`.")
    stalled: bool = Field(description="Running, but without progress for two minutes: its process stopped. "
                                      "Import the same file again; what is imported stays as it is.")
    file_name: str
    rows: int
    to_write: int = Field(description="New stays the check found.")
    written: int = Field(description="Of them, written so far.")
    already_imported: int
    rejected_count: int
    rejected: list[RejectedRowOut] = Field(description="The first bad rows (partial runs skip them).")
    error: str | None
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, r: ImportRunRow, *, now: datetime) -> ImportRunOut:
        return cls(run_id=r.id, status=r.status, stalled=r.status == "running" and now - r.updated_at > STALLED_AFTER,
                   file_name=r.file_name, rows=r.rows, to_write=r.to_write, written=r.written,
                   already_imported=r.already_imported,
                   rejected_count=r.rejected_count, rejected=[RejectedRowOut(**p) for p in r.rejected],
                   error=r.error, started_at=r.started_at, updated_at=r.updated_at, finished_at=r.finished_at)
