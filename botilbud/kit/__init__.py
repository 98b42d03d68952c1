"""The shared runtime kit. Imported by every service; imports none of them (an import-linter contract)."""
