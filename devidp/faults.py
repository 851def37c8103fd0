"""The broken answers ``serve --faults`` can send, so the tests can see the service refuse
each one: a signature that no longer matches, an assertion that has expired, an assertion
meant for another service. Each is made by pysaml2 itself (a policy that dates or addresses
the assertion differently) or by changing the signed text afterwards."""

from __future__ import annotations

import re
from typing import Any

from saml2 import saml
from saml2.assertion import Policy
from saml2.time_util import a_while_ago

FAULTS = {
    "tampered": "Manipulerad – ett signerat värde ändras efter signeringen",
    "expired": "Utgånget – intyget slutade gälla för tio minuter sedan",
    "audience": "Fel mottagare – intyget är riktat till en annan tjänst",
}
OTHER_AUDIENCE = "https://elsewhere.invalid/saml2/metadata/"
EXPIRED_MINUTES_AGO = 10  # far beyond any clock skew a service allows


class ReleasePolicy(Policy):
    """The configured policy, except that every attribute of the chosen identity is released
    (the identities file says what each provider sends, whatever the service's metadata asks
    for), with the validity window in the past ("expired") or another audience ("audience")."""

    def __init__(self, fault: str, restrictions: dict[str, Any], mds: Any) -> None:
        super().__init__(restrictions, mds)
        self.fault = fault

    def restrict(self, ava: Any, sp_entity_id: str, metadata: Any = None) -> dict[str, Any]:
        return dict(ava)

    def not_on_or_after(self, sp_entity_id: str) -> str:
        if self.fault == "expired":
            return str(a_while_ago(minutes=EXPIRED_MINUTES_AGO))
        return str(super().not_on_or_after(sp_entity_id))

    def conditions(self, sp_entity_id: str) -> Any:
        conditions = super().conditions(sp_entity_id)
        if self.fault == "expired":
            conditions.not_before = a_while_ago(minutes=EXPIRED_MINUTES_AGO + 5)
        if self.fault == "audience":
            conditions.audience_restriction = [
                saml.AudienceRestriction(audience=[saml.Audience(text=OTHER_AUDIENCE)])
            ]
        return conditions


_FIRST_VALUE = re.compile(r"(<(?:[\w.-]+:)?AttributeValue\b[^>]*>)([^<]+)(<)")


def tamper(signed_xml: str) -> str:
    """The signed response with its first attribute value changed by one character (a digit
    of the civic number, say): both signatures over it now fail."""
    match = _FIRST_VALUE.search(signed_xml)
    if match is None:
        raise ValueError("no attribute value to tamper with")
    value = match.group(2)
    last = value[-1]
    changed = str((int(last) + 1) % 10) if last.isdigit() else ("y" if last == "x" else "x")
    start, end = match.span(2)
    return signed_xml[:start] + value[:-1] + changed + signed_xml[end:]
