"""The categories of sensitive text the guard looks for, with their user-visible labels.

The codes are stable: they name the word-list files (``words/<language>/<code>.txt``) and
are what callers store or compare. The labels are shown to the writer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from writing.guard.matching import Finding

# Order matters only as the last tie-break when one word belongs to two categories.
CATEGORIES: tuple[str, ...] = (
    "health",
    "sex_life",
    "ethnic_origin",
    "religion",
    "politics",
    "personal_characteristics",
    "offensive",
)

CATEGORY_LABELS: Mapping[str, Promise] = MappingProxyType(
    {
        "health": _("health"),
        "sex_life": _("sex life"),
        "ethnic_origin": _("ethnic origin"),
        "religion": _("religious belief"),
        "politics": _("political opinion"),
        "personal_characteristics": _("valuation of personal characteristics"),
        "offensive": _("offensive language"),
    }
)


def findings_payload(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """The findings as the writer's browser shows them: category, its label in the active
    language, and where in the text."""
    return [
        {
            "category": f.category,
            "label": str(CATEGORY_LABELS[f.category]),
            "matched": f.matched,
            "start": f.start,
            "end": f.end,
        }
        for f in findings
    ]
