"""Pure helpers that the services' domains share: standard library only, no I/O, no framework. A domain may not
import the kit, the contracts or another service, so what all of them compute the same way lives here once."""
