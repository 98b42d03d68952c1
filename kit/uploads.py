"""Reading an uploaded file, bounded: as the request body (the APIs) or as one file of a page's form, a file
past its limit is refused as soon as that is known (declared or arrived), never held whole in memory."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from starlette.datastructures import FormData, UploadFile

FORM_SLACK_BYTES = 64 * 1024
"""What a form's other fields and its multipart framing may add to the file's own limit."""


async def read_capped(request: Request, limit: int) -> bytes | None:
    """The body, or None as soon as it passes `limit` bytes (what was declared or what has arrived)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


class UploadRefused(Exception):
    """A page's uploaded file that cannot be taken: missing, or over its limit (`too_large`: answer 413). The
    message is the page's own, in Norwegian."""

    def __init__(self, message: str, *, too_large: bool = False):
        super().__init__(message)
        self.too_large = too_large


@dataclass(frozen=True)
class FormUpload:
    """One file posted with a page's form (multipart), read whole up to its limit, and the form's other fields."""

    filename: str
    content_type: str
    data: bytes
    form: FormData


async def form_upload(request: Request, limit: int, *, missing_nb: str, too_large_nb: str, field: str = "file",
                      max_fields: int = 5) -> FormUpload:
    """The file in the form's `field`, refused (UploadRefused) when none was chosen or it passes `limit` bytes:
    as soon as the declared body says so (the form's other fields get 64 KiB beside it), else once read."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + FORM_SLACK_BYTES:
        raise UploadRefused(too_large_nb, too_large=True)
    form = await request.form(max_files=1, max_fields=max_fields)
    upload = form.get(field)
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise UploadRefused(missing_nb)
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise UploadRefused(too_large_nb, too_large=True)
    return FormUpload(upload.filename, upload.content_type or "", data, form)
