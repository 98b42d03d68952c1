"""Reading an offices file (../shared/formats/offices-import.md): UTF-8 (a byte order mark is allowed), comma
separated, a header row. What a cell must hold is the domain's business (domain/office_import.py)."""

from __future__ import annotations

import csv
import io

from services.intake.domain.office_import import FileError, check_header

MAX_ROWS = 10_000  # Norway has about 700 Nav offices


def read(data: bytes) -> list[tuple[int, dict]]:
    """The rows with their line numbers in the file (the header is line 1; a row over several lines counts
    from its first). Blank rows are skipped. Raises FileError when the file as a whole is not in the format."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileError(f"Filen er ikke UTF-8 (byte {exc.start}). Lagre den som CSV UTF-8.") from None
    if "\x00" in text:
        raise FileError("Filen inneholder NUL-tegn: den er ikke en CSV-fil i UTF-8 (kanskje UTF-16?).")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)  # an unclosed quote is an error, not a cell
    rows: list[tuple[int, dict]] = []
    previous = 0
    try:
        names = check_header(next(reader, None))
        previous = reader.line_num
        for cells in reader:
            line, previous = previous + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise FileError(f"Linje {line}: filen har flere enn {MAX_ROWS} rader; del den opp.")
            row: dict = dict(zip(names, cells, strict=False))
            if len(cells) > len(names):
                row[None] = cells[len(names):]
            rows.append((line, row))
    except csv.Error as exc:
        raise FileError(f"Linje {previous + 1}: filen kan ikke leses som CSV ({str(exc)[:100]}).") from None
    return rows
