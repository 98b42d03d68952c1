"""Schematron validation of EHF documents against the official PEPPOL BIS Billing 3.0 and CEN EN 16931 rules.

The rules need XPath 2+ (queryBinding xslt2), so the engine is SaxonC-HE (XSLT 3.0): SchXslt's stylesheets
compile each .sch into a validation XSLT once per process; each document is then run through both and the
SVRL report is read for failed asserts. `fatal` failures make the document invalid; warnings are kept.

Only documents that passed the safe parser (no DTD, size-limited) get here, and Saxon is given the text,
so no entity or external resource can be resolved."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from defusedxml.ElementTree import fromstring

from services.billing.domain.errors import DocumentRefused

HERE = Path(__file__).parent / "ehf_rules"
RULE_FILES = (HERE / "rules" / "CEN-EN16931-UBL.sch", HERE / "rules" / "PEPPOL-EN16931-UBL.sch")
SVRL = "{http://purl.oclc.org/dsdl/svrl}"


@dataclass(frozen=True)
class FailedRule:
    rule_id: str
    flag: str  # "fatal" or "warning"
    text: str
    location: str


class SchematronValidator:
    def __init__(self, rule_files: tuple[Path, ...] = RULE_FILES):
        self._rule_files = rule_files
        self._lock = threading.Lock()
        self._processor = None
        self._validators: list = []

    def _ready(self) -> list:
        if not self._validators:
            from saxonche import PySaxonProcessor

            self._processor = PySaxonProcessor(license=False)
            xslt = self._processor.new_xslt30_processor()
            compiler = xslt.compile_stylesheet(stylesheet_file=str(HERE / "schxslt" / "pipeline-for-svrl.xsl"))
            for rules in self._rule_files:
                compiled = compiler.transform_to_string(source_file=str(rules))
                self._validators.append(xslt.compile_stylesheet(stylesheet_text=compiled))
        return self._validators

    def validate(self, text: str) -> list[FailedRule]:
        """Every failed assert of every rule file, in order. Thread-safe (one document at a time)."""
        from saxonche import PySaxonApiError

        with self._lock:
            validators = self._ready()
            try:
                node = self._processor.parse_xml(xml_text=text)
                reports = [v.transform_to_string(xdm_node=node) for v in validators]
            except PySaxonApiError as exc:
                raise DocumentRefused(f"EHF-reglene kunne ikke kjøres på dokumentet: {str(exc)[:300]}") from None
        failed = []
        for report in reports:
            root = fromstring(report.encode("utf-8"))
            for el in root.iter(f"{SVRL}failed-assert"):
                message = el.find(f"{SVRL}text")
                failed.append(FailedRule(el.get("id", "?"), el.get("flag", "fatal"),
                                         " ".join((message.text or "").split()) if message is not None else "",
                                         el.get("location", "")))
        return failed


validator = SchematronValidator()
