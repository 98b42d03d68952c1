"""Reading placement's import files (../shared/formats/stays-import.md, providers-import.md): UTF-8, comma
separated, a header row that the format's `check_header` judges."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from services.placement.domain import history
from services.placement.domain.history import HeaderError


def _why(exc: csv.Error) -> str:
    text = str(exc)
    return ("en celle er for lang (over 131 072 tegn)" if text.startswith("field larger than field limit")
            else f"filen kan ikke leses som CSV ({text[:100]})")


def read(data: bytes, *, first_line: int = 2,
         check_header: Callable[[list[str] | None], None] = history.check_header) -> list[tuple[int, dict]]:
    """The rows with their line numbers in the file (the header is line 1; `first_line` is the line of the
    first row, for a file sent in chunks). Raises HeaderError when the file as a whole is not in the format
    (the stay history's unless another `check_header` is given)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HeaderError(f"Filen er ikke UTF-8 (byte {exc.start}).") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise HeaderError(f"Linje 1: {_why(exc)}.") from None
    check_header(header)
    names = [h.strip() for h in header]
    rows = []
    offset = first_line - 2
    previous = reader.line_num
    try:
        for cells in reader:
            line = previous + 1 + offset
            previous = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            row = dict(zip(names, cells, strict=False))
            if len(cells) > len(names):
                row[None] = cells[len(names):]
            rows.append((line, row))
    except csv.Error as exc:
        raise HeaderError(f"Linje {previous + 1 + offset}: {_why(exc)}.") from None
    return rows
