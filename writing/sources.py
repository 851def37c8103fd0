"""The kinds of text that can be flagged for review, each with the label the principal sees.

The apps that let people write register their own kinds (in ``AppConfig.ready``), so this
floor never names what lives above it. A flag keeps its kind as a plain code."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.functional import Promise

_labels: dict[str, Promise] = {}


def register_sources(labels: Mapping[str, Promise]) -> None:
    """Add kinds of flagged text: code -> label (lazily translated)."""
    _labels.update(labels)


def source_label(code: str) -> str:
    """The kind's label in the active language (the code itself for an unknown kind)."""
    label = _labels.get(code)
    return str(label) if label is not None else code
