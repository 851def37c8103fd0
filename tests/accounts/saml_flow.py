"""Driving a SAML login through the real views with the test client, against the development
identity provider running in its own process (``tests.support.saml_idp``).

The test client plays the browser on this service's side, a ``requests`` session on the
provider's side: GET ``saml-login`` -> the provider's sign-in page -> its form posted (who,
which level, which fault) -> the provider's auto-posting page, whose SAMLResponse and
RelayState the client posts to ``saml-acs``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
from django.test import Client, override_settings
from django.urls import reverse
from saml2.metadata import entity_descriptor

from accounts import civic
from accounts.saml import metadata
from accounts.saml.config import sp_config
from config.saml import IdentityProviderSetting
from tests.support.saml_idp import LOA2, LOA3, SamlIdentityProvider

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response
else:
    Response = Any

__all__ = ["LOA2", "LOA3"]


def civic_number(birth: str, serial: str) -> str:
    """A valid fictitious civic number: ``birth`` YYYYMMDD, ``serial`` three digits."""
    return f"{birth}{serial}{civic.control_digit(birth[2:] + serial)}"


GUARDIAN_CIVIC = civic_number("19820304", "123")
OTHER_GUARDIAN_CIVIC = civic_number("19790615", "456")
TEACHER_CIVIC = civic_number("19750101", "234")
FORMER_CIVIC = civic_number("19700909", "345")
UNKNOWN_CIVIC = civic_number("19990202", "987")
TEACHER_SCHOOL_ACCOUNT = "Anna.Larare@norrskolan.example"

GUARDIAN = "Vårdnadshavare (e-legitimation)"
OTHER_GUARDIAN = "Annan vårdnadshavare (e-legitimation)"
TEACHER_EID = "Lärare (e-legitimation)"
TEACHER_SCHOOL = "Lärare (skolkonto)"
FORMER = "Avstängt konto (e-legitimation)"
UNKNOWN = "Okänd person (e-legitimation)"
# Names only the assertion carries: a log line holding one of them leaked the assertion.
ASSERTION_NAMES = ("Saga", "Ljungqvist", "Tor", "Östling", "Ebba", "Nordin")


def _person(idp: str, label: str, given: str, family: str, **identifiers: str) -> dict[str, Any]:
    attributes = {**identifiers, "givenName": given, "sn": family, "displayName": f"{given} {family}"}
    return {"idp": idp, "label": label, "attributes": attributes}


IDENTITIES = [
    _person("eid", GUARDIAN, "Saga", "Ljungqvist", personalIdentityNumber=GUARDIAN_CIVIC),
    _person("eid", OTHER_GUARDIAN, "Tor", "Östling", personalIdentityNumber=OTHER_GUARDIAN_CIVIC),
    _person("eid", TEACHER_EID, "Ebba", "Nordin", personalIdentityNumber=TEACHER_CIVIC),
    _person("eid", FORMER, "Saga", "Nordin", personalIdentityNumber=FORMER_CIVIC),
    _person("eid", UNKNOWN, "Tor", "Nordin", personalIdentityNumber=UNKNOWN_CIVIC),
    _person("school", TEACHER_SCHOOL, "Ebba", "Nordin", eduPersonPrincipalName=TEACHER_SCHOOL_ACCOUNT),
]


def sp_settings(idp: SamlIdentityProvider) -> dict[str, Any]:
    """This service's settings for the providers of ``idp`` (its own key pair too)."""
    return {
        "SAML_IDENTITY_PROVIDERS": tuple(
            IdentityProviderSetting(purpose, str(idp.metadata_file(purpose))) for purpose in ("eid", "school")
        ),
        "SAML_KEY_FILE": str(idp.sp_key_file),
        "SAML_CERT_FILE": str(idp.sp_cert_file),
    }


@contextmanager
def running_provider(directory: Path) -> Iterator[SamlIdentityProvider]:
    """The provider process, knowing this service by its metadata (a file written here)."""
    sp_metadata = directory / "sp-metadata.xml"
    idp = SamlIdentityProvider(directory, str(sp_metadata), IDENTITIES)
    with override_settings(**sp_settings(idp)):
        metadata.forget()
        sp_metadata.write_text(str(entity_descriptor(sp_config())), encoding="utf-8")
    metadata.forget()
    idp.start()
    try:
        yield idp
    finally:
        idp.stop()
        metadata.forget()


_HIDDEN = re.compile(r'<input type="hidden" name="(?P<name>[^"]+)" value="(?P<value>[^"]*)"')


def hidden_fields(html: str) -> dict[str, str]:
    return {m["name"]: unescape(m["value"]) for m in _HIDDEN.finditer(html)}


@dataclass
class Answer:
    """What the provider's auto-posting page would post to this service."""

    saml_response: str
    relay_state: str

    def post_to(self, client: Client) -> Response:
        return client.post(
            reverse("saml-acs"), {"SAMLResponse": self.saml_response, "RelayState": self.relay_state}
        )


class Flow:
    """One browser: the test client here, a requests session at the provider."""

    def __init__(self, idp: SamlIdentityProvider, client: Client | None = None) -> None:
        self.idp = idp
        self.client = client or Client()
        self.at_provider = requests.Session()

    def start(self, provider: str = "eid", *, next_url: str | None = None, step_up: bool = False) -> str:
        """GET saml-login; the provider URL it sends the browser to (a signed AuthnRequest)."""
        query = {"idp": self.idp.entity_id(provider)}
        if next_url is not None:
            query["next"] = next_url
        if step_up:
            query["step_up"] = "1"
        response = self.client.get(reverse("saml-login"), query)
        assert response.status_code == 302, response.status_code
        location = response["Location"]
        assert location.startswith(f"{self.idp.base_url}/{provider}/sso?"), location
        assert "SAMLRequest=" in location
        assert "Signature=" in location
        return location

    def sign_in(self, location: str, label: str, *, loa: str = "3", fault: str = "") -> Answer:
        """At the provider: open the sign-in page, choose the identity, level and fault."""
        page = self.at_provider.get(location, timeout=10)
        assert page.status_code == 200, page.text
        provider = urlsplit(location).path.strip("/").split("/")[0]
        form = {
            "request": hidden_fields(page.text)["request"],
            "identity": str(self.idp.identity_index(label)),
            "loa": loa,
            "fault": fault,
        }
        posted = self.at_provider.post(f"{self.idp.base_url}/{provider}/sso", data=form, timeout=10)
        assert posted.status_code == 200, posted.text
        fields = hidden_fields(posted.text)
        return Answer(fields["SAMLResponse"], fields.get("RelayState", ""))

    def log_in(
        self,
        label: str,
        provider: str = "eid",
        *,
        loa: str = "3",
        fault: str = "",
        next_url: str | None = None,
        step_up: bool = False,
    ) -> Response:
        """The whole login; this service's answer to the posted response."""
        answer = self.sign_in(
            self.start(provider, next_url=next_url, step_up=step_up), label, loa=loa, fault=fault
        )
        return answer.post_to(self.client)
