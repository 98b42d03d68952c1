"""Botilbud: the runtime kit (`botilbud.kit`), the command line and the composition of the stack."""
