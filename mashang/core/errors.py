"""The one error family of mashang.

Services raise these; each surface turns them into its own shape: the API into
``{"message": …, "fields": {…}}`` with a status code, pages into a message beside the
form, commands into ``CommandError``.
"""

from __future__ import annotations

from collections.abc import Mapping


class ApplicationError(Exception):
    """A request that cannot be carried out as asked; ``fields`` names the inputs at fault."""

    status_code = 400

    def __init__(self, message: str, *, fields: Mapping[str, list[str] | str] | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.fields = {
            name: [str(m) for m in (msgs if isinstance(msgs, list) else [msgs])]
            for name, msgs in (fields or {}).items()
        }


class ValidationFailed(ApplicationError):
    """The input is well-formed but breaks a rule (unknown category, bad credit code…)."""

    status_code = 422


class NotFound(ApplicationError):
    """The object does not exist, or the actor may not know that it does."""

    status_code = 404


class PermissionDenied(ApplicationError):
    """The actor can see the object but may not do this to it."""

    status_code = 403


class Conflict(ApplicationError):
    """The object changed since the actor read it (stale version) or a duplicate request."""

    status_code = 409


class TransitionNotAllowed(Conflict):
    """The move is not allowed from the object's current state."""


class NotAuthenticated(ApplicationError):
    """The credentials are missing or wrong."""

    status_code = 401
