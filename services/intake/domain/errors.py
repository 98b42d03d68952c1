"""Intake's domain error."""


class IntakeError(ValueError):
    """A rule of intake was broken. `field` names the input at fault, for the form or the API answer;
    `status_code` is 422 for bad input, 409 for a conflict with the case's state, 404 when it is missing."""

    def __init__(self, message: str, field: str | None = None, status_code: int = 422):
        super().__init__(message)
        self.field = field
        self.status_code = status_code
