"""The development identity provider (``devidp``) as a service sees it: run for real in its own
process, asked by a pysaml2 service provider made here, its answers checked by pysaml2 as any
service checks them (signatures by ``xmlsec1``)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.mdstore import MetadataStore
from saml2.metadata import create_metadata_string
from saml2.sigver import SignatureError
from saml2.validate import ResponseLifetimeExceed
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from accounts import civic
from devidp.identities import ATTRIBUTES, DEMO_FILE
from tests.support.saml_idp import (
    BROWSER_IDENTITIES,
    GUARDIAN_CIVIC_NUMBER,
    GUARDIAN_EID,
    LOA2,
    LOA3,
    TEACHER_SCHOOL,
    TEACHER_SCHOOL_ACCOUNT,
    UNKNOWN_CIVIC_NUMBER,
    SamlIdentityProvider,
    prepare,
)

ROOT = Path(__file__).resolve().parents[2]
DEMO_REGISTER = ROOT / "roster" / "demo" / "bjorkbacka.json"
SP_ENTITY_ID = "http://sp.test/saml2/metadata/"
ACS = "http://sp.test/saml2/acs/"
SLS = "http://sp.test/saml2/ls/"


def sp_config(directory: Path) -> SPConfig:
    """A service like ours: signed requests, signed assertions required, a minute of skew."""
    config = SPConfig()
    config.load(
        {
            "entityid": SP_ENTITY_ID,
            "xmlsec_binary": shutil.which("xmlsec1") or "/usr/bin/xmlsec1",
            "key_file": str(directory / "sp.key"),
            "cert_file": str(directory / "sp.crt"),
            "accepted_time_diff": 60,
            "allow_unknown_attributes": True,
            "signing_algorithm": SIG_RSA_SHA256,
            "digest_algorithm": DIGEST_SHA256,
            "metadata": {
                "local": [str(directory / "eid-metadata.xml"), str(directory / "school-metadata.xml")]
            },
            "service": {
                "sp": {
                    "endpoints": {
                        "assertion_consumer_service": [(ACS, BINDING_HTTP_POST)],
                        "single_logout_service": [(SLS, BINDING_HTTP_REDIRECT)],
                    },
                    "authn_requests_signed": True,
                    "want_assertions_signed": True,
                    "want_response_signed": True,
                    "want_logout_requests_signed": True,
                    "allow_unsolicited": False,
                }
            },
        }
    )
    return config


@pytest.fixture(scope="module")
def idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SamlIdentityProvider]:
    directory = tmp_path_factory.mktemp("devidp")
    sp_metadata = directory / "sp-metadata.xml"
    provider = SamlIdentityProvider(directory, str(sp_metadata), BROWSER_IDENTITIES)
    # The service's metadata, made from its configuration now that its key pair exists.
    sp_metadata.write_bytes(create_metadata_string(None, config=sp_config(directory), sign=False))
    provider.start()
    try:
        yield provider
    finally:
        provider.stop()


def login(
    idp: SamlIdentityProvider,
    label: str,
    *,
    loa: str = "3",
    fault: str = "",
    client: Any = None,
    browser: requests.Session | None = None,
) -> tuple[Any, str, str]:
    """Ask for a login as the service does, pick the identity on the sign-in page: the
    service's client, the id of its request and the base64 Response the page posts."""
    provider = "school" if label == TEACHER_SCHOOL else "eid"
    client = client or Saml2Client(config=sp_config(idp.directory))
    request_id, info = client.prepare_for_authenticate(
        entityid=idp.entity_id(provider), relay_state="/start/", binding=BINDING_HTTP_REDIRECT, sign=True
    )
    location = dict(info["headers"])["Location"]
    assert location.startswith(f"{idp.base_url}/{provider}/sso?")
    browser = browser or requests.Session()
    page = browser.get(location, timeout=10)
    assert page.status_code == 200, page.text
    assert 'lang="sv"' in page.text
    assert "inte en riktig e-legitimation" in page.text
    key = re.search(r'name="request" value="([^"]+)"', page.text)
    assert key is not None
    form = {"request": unescape(key.group(1)), "identity": str(idp.identity_index(label)), "loa": loa}
    answer = browser.post(f"{idp.base_url}/{provider}/sso", data={**form, "fault": fault}, timeout=10)
    assert answer.status_code == 200, answer.text
    assert f'action="{ACS}"' in answer.text
    response = re.search(r'name="SAMLResponse" value="([^"]+)"', answer.text)
    relay = re.search(r'name="RelayState" value="([^"]*)"', answer.text)
    assert response is not None
    assert relay is not None
    assert relay.group(1) == "/start/"
    return client, request_id, unescape(response.group(1))


def parse(client: Any, request_id: str, saml_response: str) -> Any:
    return client.parse_authn_request_response(
        saml_response, BINDING_HTTP_POST, outstanding={request_id: "/start/"}
    )


def attributes(response: Any) -> dict[str, str]:
    statement = response.assertion.attribute_statement[0]
    assert all(
        attribute.name_format == "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
        for attribute in statement.attribute
    )
    return {attribute.name: attribute.attribute_value[0].text for attribute in statement.attribute}


def test_prepare_is_idempotent_and_its_metadata_parses(tmp_path: Path) -> None:
    prepare(tmp_path, "http://127.0.0.1:8001")
    made = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    assert set(made) >= {"idp.key", "idp.crt", "sp.key", "sp.crt", "eid-metadata.xml", "school-metadata.xml"}
    prepare(tmp_path, "http://127.0.0.1:8001")
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == made

    store = MetadataStore(attrc=None, config=sp_config(tmp_path))
    store.load("local", str(tmp_path / "eid-metadata.xml"))
    store.load("local", str(tmp_path / "school-metadata.xml"))
    for provider in ("eid", "school"):
        entity = f"http://127.0.0.1:8001/{provider}/metadata"
        [sso] = store.single_sign_on_service(entity, BINDING_HTTP_REDIRECT)
        assert sso["location"] == f"http://127.0.0.1:8001/{provider}/sso"
        [slo] = store.single_logout_service(entity, BINDING_HTTP_REDIRECT, "idpsso")
        assert slo["location"] == f"http://127.0.0.1:8001/{provider}/slo"
        assert store.certs(entity, "idpsso", "signing")


def test_an_eid_login_is_signed_with_the_chosen_level_and_attributes(idp: SamlIdentityProvider) -> None:
    client, request_id, saml_response = login(idp, GUARDIAN_EID, loa="3")
    response = parse(client, request_id, saml_response)
    assert response.in_response_to == request_id
    assert response.response.signature is not None
    assert response.assertion.signature is not None
    assert "rsa-sha256" in response.assertion.signature.signed_info.signature_method.algorithm
    assert response.issuer() == idp.entity_id("eid")
    [(level, _authority, _instant)] = response.authn_info()
    assert level == LOA3
    assert attributes(response) == {
        ATTRIBUTES["personalIdentityNumber"]: GUARDIAN_CIVIC_NUMBER,
        ATTRIBUTES["givenName"]: "Sofia",
        ATTRIBUTES["sn"]: "Lindqvist",
        ATTRIBUTES["displayName"]: "Sofia Lindqvist",
    }
    [confirmation] = response.assertion.subject.subject_confirmation
    assert confirmation.subject_confirmation_data.recipient == ACS
    assert confirmation.subject_confirmation_data.in_response_to == request_id
    [restriction] = response.assertion.conditions.audience_restriction
    assert [audience.text for audience in restriction.audience] == [SP_ENTITY_ID]


def test_a_school_account_login_at_level_2(idp: SamlIdentityProvider) -> None:
    client, request_id, saml_response = login(idp, TEACHER_SCHOOL, loa="2")
    response = parse(client, request_id, saml_response)
    assert response.issuer() == idp.entity_id("school")
    assert response.authn_info()[0][0] == LOA2
    assert attributes(response)[ATTRIBUTES["eduPersonPrincipalName"]] == TEACHER_SCHOOL_ACCOUNT


def test_a_tampered_response_fails_its_signature(idp: SamlIdentityProvider) -> None:
    client, request_id, saml_response = login(idp, GUARDIAN_EID, fault="tampered")
    with pytest.raises(SignatureError):
        parse(client, request_id, saml_response)


def test_an_expired_assertion_is_refused(idp: SamlIdentityProvider) -> None:
    client, request_id, saml_response = login(idp, GUARDIAN_EID, fault="expired")
    with pytest.raises(ResponseLifetimeExceed):
        parse(client, request_id, saml_response)


def test_an_assertion_for_another_audience_is_refused(idp: SamlIdentityProvider) -> None:
    client, request_id, saml_response = login(idp, GUARDIAN_EID, fault="audience")
    with pytest.raises(Exception, match="AudienceRestrictions conditions not satisfied"):
        parse(client, request_id, saml_response)


def test_a_request_is_answered_once(idp: SamlIdentityProvider) -> None:
    client = Saml2Client(config=sp_config(idp.directory))
    _id, info = client.prepare_for_authenticate(
        entityid=idp.entity_id("eid"), binding=BINDING_HTTP_REDIRECT, sign=True
    )
    browser = requests.Session()
    page = browser.get(dict(info["headers"])["Location"], timeout=10)
    key = re.search(r'name="request" value="([^"]+)"', page.text)
    assert key is not None
    form = {"request": unescape(key.group(1)), "identity": str(idp.identity_index(GUARDIAN_EID)), "loa": "3"}
    assert browser.post(f"{idp.base_url}/eid/sso", data=form, timeout=10).status_code == 200
    again = browser.post(f"{idp.base_url}/eid/sso", data=form, timeout=10)
    assert again.status_code == 400
    assert "redan besvarad" in again.text


def test_an_unsigned_or_garbled_request_gets_a_page_not_a_login(idp: SamlIdentityProvider) -> None:
    client = Saml2Client(config=sp_config(idp.directory))
    _id, info = client.prepare_for_authenticate(
        entityid=idp.entity_id("eid"), binding=BINDING_HTTP_REDIRECT, sign=False
    )
    unsigned = requests.get(dict(info["headers"])["Location"], timeout=10)
    garbled = requests.get(f"{idp.base_url}/eid/sso?SAMLRequest=bm9uc2Vuc2U%3D", timeout=10)
    for answer in (unsigned, garbled):
        assert answer.status_code == 400
        assert "kunde inte tolkas" in answer.text
        assert 'name="request"' not in answer.text


def test_the_demo_identities_are_the_demo_registers_people() -> None:
    """``make run``'s demo e-ID and school account log in as the people the demo register
    gives that civic number and school account: the files cannot drift apart."""
    register = json.loads(DEMO_REGISTER.read_text(encoding="utf-8"))
    people = {f"{p['givenName']} {p['familyName']}": p for p in register["persons"]}
    demo = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    assert {identity["idp"] for identity in demo} == {"eid", "school"}
    for identity in demo:
        values = identity["attributes"]
        person = people[values["displayName"]]
        assert (values["givenName"], values["sn"]) == (person["givenName"], person["familyName"])
        if "personalIdentityNumber" in values:
            assert values["personalIdentityNumber"] == person["civicNo"]["value"].replace("-", "")
        if "eduPersonPrincipalName" in values:
            assert values["eduPersonPrincipalName"] in person["eduPersonPrincipalNames"]


def test_the_browser_identities_match_the_demo_register_and_the_unknown_is_unknown() -> None:
    register = json.loads(DEMO_REGISTER.read_text(encoding="utf-8"))
    civic_numbers = {p["civicNo"]["value"].replace("-", "") for p in register["persons"] if "civicNo" in p}
    accounts = {name for p in register["persons"] for name in p.get("eduPersonPrincipalNames", [])}
    for identity in BROWSER_IDENTITIES:
        values = identity["attributes"]
        known = "Okän" not in identity["label"]
        if "personalIdentityNumber" in values:
            assert civic.luhn_ok(values["personalIdentityNumber"][2:])
            assert (values["personalIdentityNumber"] in civic_numbers) is known
        if "eduPersonPrincipalName" in values:
            assert (values["eduPersonPrincipalName"] in accounts) is known
    assert UNKNOWN_CIVIC_NUMBER not in civic_numbers


def redirect_message(client: Any, message: Any, destination: str, *, response: bool) -> str:
    """A message of the service's sent by HTTP-Redirect, signed in the query string."""
    info = client.apply_binding(
        BINDING_HTTP_REDIRECT,
        str(message),
        destination,
        "",
        response=response,
        sign=True,
        sigalg=SIG_RSA_SHA256,
    )
    return str(dict(info["headers"])["Location"])


def query(location: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(location).query))


def test_logout_from_the_service_ends_the_providers_session(idp: SamlIdentityProvider) -> None:
    browser = requests.Session()
    client, request_id, saml_response = login(idp, GUARDIAN_EID, browser=browser)
    response = parse(client, request_id, saml_response)
    assert "Logga ut" in browser.get(f"{idp.base_url}/eid/", timeout=10).text

    _id, request = client.create_logout_request(
        f"{idp.base_url}/eid/slo",
        idp.entity_id("eid"),
        name_id=response.name_id,
        session_indexes=[response.assertion.authn_statement[0].session_index],
        sign=False,
    )
    answer = browser.get(
        redirect_message(client, request, f"{idp.base_url}/eid/slo", response=False),
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith(SLS)
    logout = client.parse_logout_request_response(
        query(answer.headers["Location"])["SAMLResponse"], BINDING_HTTP_REDIRECT
    )
    assert logout.response.status.status_code.value == "urn:oasis:names:tc:SAML:2.0:status:Success"
    assert "inte inloggad" in browser.get(f"{idp.base_url}/eid/", timeout=10).text


def test_logout_at_the_provider_asks_the_service_to_end_its_session(idp: SamlIdentityProvider) -> None:
    browser = requests.Session()
    client, request_id, saml_response = login(idp, GUARDIAN_EID, browser=browser)
    response = parse(client, request_id, saml_response)
    home = browser.get(f"{idp.base_url}/eid/", timeout=10)
    assert GUARDIAN_EID in home.text
    assert 'action="/eid/logout"' in home.text

    answer = browser.post(f"{idp.base_url}/eid/logout", allow_redirects=False, timeout=10)
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith(SLS)
    sent = query(answer.headers["Location"])
    # Checked as signed: the service's configuration wants logout requests signed.
    request = client.parse_logout_request(
        sent["SAMLRequest"],
        BINDING_HTTP_REDIRECT,
        relay_state=sent.get("RelayState"),
        sigalg=sent["SigAlg"],
        signature=sent["Signature"],
    )
    assert request.message.name_id.text == response.name_id.text
    assert request.message.issuer.text == idp.entity_id("eid")
    reply = client.create_logout_response(request.message, [BINDING_HTTP_REDIRECT])
    back = browser.get(redirect_message(client, reply, f"{idp.base_url}/eid/slo", response=True), timeout=10)
    assert back.status_code == 200
    assert "Utloggad" in back.text
    assert "inte inloggad" in browser.get(f"{idp.base_url}/eid/", timeout=10).text


def test_devidp_loads_neither_django_nor_the_service() -> None:
    """Standalone: the provider runs without the service's code (import-linter checks the
    apps; this checks Django too, which is not one of the linted packages)."""
    check = (
        "import sys, devidp.__main__\n"
        "loaded = {m.split('.')[0] for m in sys.modules}\n"
        "bad = loaded & {'django', 'config', 'accounts', 'frontend', 'roster', 'records', 'tests'}\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", check], cwd=ROOT, check=True, timeout=60)
