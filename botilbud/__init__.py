"""Botilbud, the system: its composition of the four services (`stack`), the `botilbud` command, `verify`, the
demo, and the embedded broker and database for a laptop. It stands above the services; the runtime kit (`kit`)
below them."""
