"""The runtime kit every service uses: settings, database, migrations, outbox, inbox, consumers, auth, web,
metrics, logging, the runtime. It names no service."""
