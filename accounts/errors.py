"""The one family of errors that actions raise, and that every door answers with.

Each carries a stable ``code`` (for clients and tests) and a translated ``message`` for the
person. How each becomes an answer is decided in one place per channel: HTTP and JSON in
``frontend.answers``, forms in ``frontend.answers.form_failure``, socket frames in
``writing.frames.error_frame``.

They also subclass the Django exception a caller without our mapping would expect, so that
Django's own handling stays right where an error is not caught (an uncaught ``NotFound`` is a
404 page, an uncaught ``Forbidden`` a 403, a ``Refused`` shows on an admin form like any
validation error).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _


class ActionError(Exception):
    """What an action could not do, and why. ``status`` is the HTTP status it answers with."""

    status = 400

    def __init__(self, code: str, message: str, **details: Any) -> None:
        Exception.__init__(self, message)
        self.code = code
        self.message = message
        self.details = details

    def __str__(self) -> str:
        return self.message


class Refused(ActionError, ValidationError):  # type: ignore[misc]  # code and message are set as both expect
    """What was asked cannot be done as given: bad input (``field`` names the form field, when
    there is one), or a state that does not allow it (a proposal already decided). Nothing
    was saved; the person can change what they sent and try again."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        field: str | None = None,
        each: Sequence[str] = (),
        **details: Any,
    ) -> None:
        """``each``: the separate reasons when there are several (the password rules a new
        password breaks); ``message`` then says them all."""
        ActionError.__init__(self, code, message, **details)
        reasons = list(each) or [message]
        # With a field it is a field's error to Django too (``message_dict``), as a form's
        # clean would raise it; ``messages`` lists each reason.
        ValidationError.__init__(self, {field: reasons} if field else reasons)
        self.code = code
        self.field = field


class Forbidden(ActionError, PermissionDenied):
    """The person may see the thing but their part does not allow this action (a guardian
    publishing an assessment)."""

    status = 403

    def __init__(self, code: str = "forbidden", message: str = "", **details: Any) -> None:
        super().__init__(code, message or _("You are not allowed to do that."), **details)


class StrongLoginNeeded(Forbidden):
    """A sensitive thing (an archive opened as the school, an export, a public record's
    review) needs a strong login more recent than the session's
    (``accounts.actions.strength``). Over HTTP it asks for one on the step-up page
    (``frontend.stepup``; ``step_up_url`` says where, in a script's JSON); over the socket it
    is the error frame."""

    def __init__(self, **details: Any) -> None:
        super().__init__(
            "strong_login_needed",
            _("This is a sensitive action: confirm that it is you with your one-time code or an e-ID first."),
            **details,
        )


class NotFound(ActionError, Http404, PermissionDenied):
    """Missing, or not the person's to see: the same answer for both, so that nobody can probe
    which ids exist. It answers as a 404 (Django handles ``Http404`` before
    ``PermissionDenied``), and a caller asking whether the person was refused gets yes."""

    status = 404

    def __init__(self, code: str = "not_found", message: str = "", **details: Any) -> None:
        super().__init__(
            code, message or _("That does not exist or you do not have access to it."), **details
        )


class SensitiveText(ActionError):
    """The sensitive-text guard found words the writer should look at; nothing was saved.
    Sending again with ``send_anyway`` saves the text and flags it for the principal.

    ``findings`` are the guard's findings (``writing.guard.Finding``); ``by_field`` the same per
    field name for documents with several text fields."""

    status = 409

    def __init__(
        self,
        findings: Sequence[Any] = (),
        *,
        by_field: Mapping[str, Sequence[Any]] | None = None,
        message: str = "",
    ) -> None:
        super().__init__(
            "sensitive_text",
            message
            or _(
                "The text may contain information that must not be written here (the page is a public "
                "record). Change it, or save anyway: the principal is then told so that it can be reviewed."
            ),
        )
        self.findings = list(findings)
        self.by_field = {name: list(found) for name, found in (by_field or {}).items()}


def require(allowed: bool) -> None:
    """Raise ``Forbidden`` unless ``allowed``."""
    if not allowed:
        raise Forbidden


@contextmanager
def refusing(code: str, *, field: str | None = None) -> Iterator[None]:
    """Django's own validation inside an action (a model's ``full_clean``, the password
    validators) raised as a ``Refused`` with ``code``, naming the first field it concerns
    (or ``field``, for validators that name none)."""
    try:
        yield
    except Refused:
        raise
    except ValidationError as error:
        named = next(iter(error.error_dict), None) if hasattr(error, "error_dict") else None
        raise Refused(code, " ".join(error.messages), field=named or field, each=error.messages) from error
