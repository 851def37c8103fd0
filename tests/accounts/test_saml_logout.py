"""Single logout both ways with the real identity provider: logging out here ends the
provider's session too (through a GET page of ours, because CSP form-action covers the POST's
redirects), and the provider's logout ends the session here."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tests.accounts import saml_flow as f
from tests.support.cast import Cast
from tests.support.clients import verified_client
from tests.support.saml_idp import SamlIdentityProvider


def signed_in_at_provider(flow: f.Flow, provider: str = "eid") -> bool:
    home = flow.at_provider.get(f"{flow.idp.base_url}/{provider}/", timeout=10)
    return "Inloggad som" in home.text


def test_logging_out_here_ends_the_providers_session_too(saml: SamlIdentityProvider, cast: Cast) -> None:
    flow = f.Flow(saml)
    flow.log_in(f.GUARDIAN)
    assert signed_in_at_provider(flow)
    response = flow.client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("saml-logout")
    assert "_auth_user_id" not in flow.client.session  # ended here before going anywhere
    page = flow.client.get(reverse("saml-logout"))
    assert page.status_code == 200
    location = page.context["location"]
    assert location.startswith(f"{saml.base_url}/eid/slo?SAMLRequest=")
    assert "Signature=" in location
    assert f'content="0; url={location}"'.replace("&", "&amp;") in page.content.decode()
    back = flow.at_provider.get(location, allow_redirects=False, timeout=10)
    assert back.status_code in (302, 303)
    assert back.headers["Location"].startswith("http://127.0.0.1:8000/saml2/ls/?SAMLResponse=") or (
        "/saml2/ls/?SAMLResponse=" in back.headers["Location"]
    )
    path = back.headers["Location"].split("://", 1)[1].split("/", 1)[1]
    answer = flow.client.get("/" + path)
    assert answer.status_code == 302
    assert answer["Location"] == reverse("login")
    assert not signed_in_at_provider(flow)
    # The page is used once.
    assert flow.client.get(reverse("saml-logout"))["Location"] == reverse("login")


def test_a_password_session_logs_out_here_only(saml: SamlIdentityProvider, cast: Cast) -> None:
    client = verified_client(cast.guardian_1)
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")


def test_the_providers_logout_ends_the_session_here(saml: SamlIdentityProvider, cast: Cast) -> None:
    flow = f.Flow(saml)
    flow.log_in(f.GUARDIAN)
    assert flow.client.get(reverse("start")).status_code == 200
    started = flow.at_provider.post(f"{saml.base_url}/eid/logout", allow_redirects=False, timeout=10)
    assert started.status_code in (302, 303)
    request_url = started.headers["Location"]
    assert "/saml2/ls/?SAMLRequest=" in request_url
    assert "Signature=" in request_url
    path = "/" + request_url.split("://", 1)[1].split("/", 1)[1]
    answer = flow.client.get(path)
    assert answer.status_code == 302
    assert answer["Location"].startswith(f"{saml.base_url}/eid/slo?SAMLResponse=")
    assert "_auth_user_id" not in flow.client.session
    assert flow.client.get(reverse("start"))["Location"].startswith(reverse("login"))
    done = flow.at_provider.get(answer["Location"], timeout=10)
    assert "Utloggad" in done.text


def test_a_logout_request_for_someone_else_leaves_the_session(saml: SamlIdentityProvider, cast: Cast) -> None:
    someone = f.Flow(saml)
    someone.log_in(f.GUARDIAN)
    started = someone.at_provider.post(f"{saml.base_url}/eid/logout", allow_redirects=False, timeout=10)
    path = "/" + started.headers["Location"].split("://", 1)[1].split("/", 1)[1]
    bystander = verified_client(cast.teacher)
    answer = bystander.get(path)
    assert answer.status_code == 302  # answered (not this subject), nothing ended
    assert int(bystander.session["_auth_user_id"]) == cast.teacher.pk


def test_an_unsigned_or_changed_logout_request_is_refused(saml: SamlIdentityProvider, cast: Cast) -> None:
    flow = f.Flow(saml)
    flow.log_in(f.GUARDIAN)
    started = flow.at_provider.post(f"{saml.base_url}/eid/logout", allow_redirects=False, timeout=10)
    path = "/" + started.headers["Location"].split("://", 1)[1].split("/", 1)[1]
    unsigned = path.split("&Signature=")[0].replace("&SigAlg=", "&Ignored=")
    assert flow.client.get(unsigned).status_code == 400
    assert flow.client.get(path.replace("Signature=", "Signature=AAAA")).status_code == 400
    assert "_auth_user_id" in flow.client.session
    assert Client().get(reverse("saml-sls")).status_code == 400
