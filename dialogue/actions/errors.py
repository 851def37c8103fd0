"""Refusals of a write that the writer can act on. Each carries a stable ``code`` (for
clients and tests) and a translated message for the person."""

from __future__ import annotations

from dataclasses import dataclass, field

from dialogue.guard import Finding


class Refused(Exception):
    def __init__(self, code: str, message: str, **details: object) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details


@dataclass
class SensitiveText(Exception):
    """The guard found words the writer should look at; nothing was saved. Sending again
    with ``send_anyway`` saves the text and flags it for the principal."""

    findings: list[Finding] = field(default_factory=list)
    # For documents with several text fields: the findings of each field by its name.
    by_field: dict[str, list[Finding]] = field(default_factory=dict)
