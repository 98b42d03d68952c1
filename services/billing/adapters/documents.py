"""Which reader a received file needs, and the schematron check for EHF."""

from __future__ import annotations

from dataclasses import replace

from services.billing.adapters import csv_invoice, ehf
from services.billing.adapters.schematron import FailedRule, validator
from services.billing.domain.errors import DocumentRefused
from services.billing.domain.invoice import SupplierDocument


def looks_like_xml(data: bytes, filename: str = "", content_type: str = "") -> bool:
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return head == b"<" or filename.lower().endswith(".xml") or "xml" in content_type.lower()


def read(data: bytes, filename: str = "", content_type: str = "") -> tuple[list[SupplierDocument], list[FailedRule]]:
    """The documents in a file and, for EHF, the schematron rules it fails (warnings included).
    Raises DocumentRefused for anything that must not be stored."""
    if not data.strip():
        raise DocumentRefused("Filen er tom.")
    if not looks_like_xml(data, filename, content_type):
        return csv_invoice.read_csv(data), []
    document = ehf.read_ehf(data)  # the safe parse: refuses DTDs, entities, oversize, encodings but UTF-8
    failed = validator.validate(ehf.utf8_text(data))
    fatal = tuple(sorted({f.rule_id for f in failed if f.flag == "fatal"}))
    if fatal:
        document = replace(document, problems=fatal)
    return [document], failed
