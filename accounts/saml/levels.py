"""Levels of assurance, as an assertion's AuthnContextClassRef states them.

Sweden Connect's level 3 (what BankID and Freja eID+ meet) and above, and the eIDAS levels
substantial and high, are a strong (two-factor) login in themselves. Anything else (level 2,
a password at the school's identity provider, a missing class) is not.
"""

from __future__ import annotations

LOA2 = "http://id.elegnamnden.se/loa/1.0/loa2"
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"
LOA4 = "http://id.elegnamnden.se/loa/1.0/loa4"

STRONG_CLASS_REFS = frozenset(
    {
        LOA3,
        LOA4,
        "http://id.elegnamnden.se/loa/1.0/eidas-sub",
        "http://id.elegnamnden.se/loa/1.0/eidas-high",
        "http://id.elegnamnden.se/loa/1.0/eidas-nf-sub",
        "http://id.elegnamnden.se/loa/1.0/eidas-nf-high",
        "http://eidas.europa.eu/LoA/substantial",
        "http://eidas.europa.eu/LoA/high",
    }
)


def is_strong(authn_context_class_ref: str | None) -> bool:
    """Whether a login at this level counts as a strong login (exact match: a look-alike
    URI is not a level)."""
    return (authn_context_class_ref or "").strip() in STRONG_CLASS_REFS
