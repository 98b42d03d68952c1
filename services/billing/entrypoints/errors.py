"""Billing's domain errors as HTTP status codes: the one mapping, installed on the app and used by the pages
that show an error next to a form."""

from services.billing.domain.errors import Conflict, DocumentTooLarge, Forbidden, NotFound, RuleBroken

STATUS = {DocumentTooLarge: 413, NotFound: 404, Forbidden: 403, Conflict: 409, RuleBroken: 422}


def status_of(exc: Exception) -> int:
    """The status the app answers for this error (the most specific class mapped)."""
    return next((STATUS[cls] for cls in type(exc).__mro__ if cls in STATUS), 500)
