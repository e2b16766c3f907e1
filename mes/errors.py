"""The one exception family that services raise when they refuse a request.

Every refusal carries a message a person can act on and a stable machine code; `field` names the
input at fault when there is one. The API maps these to JSON errors (mes.api_errors); the tablet
shows the message as it is.
"""


class DomainError(Exception):
    """A request the domain refuses. Subclasses say why in their code."""

    code = "refused"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code


class InvalidInput(DomainError):
    """The input itself is wrong (a negative quantity, an inverted metre range)."""

    code = "invalid"


class NotFound(DomainError):
    """A referenced thing (unit, station, step) does not exist."""

    code = "not_found"


class RuleViolation(DomainError):
    """The input is well formed but the current state forbids it (wrong step, already done)."""

    code = "conflict"


class Forbidden(DomainError):
    """The user's role does not allow this (overriding a hold needs a quality engineer)."""

    code = "forbidden"


class Unavailable(DomainError):
    """Something the request needs is out of reach now (a PLC that does not answer); try again."""

    code = "unavailable"
