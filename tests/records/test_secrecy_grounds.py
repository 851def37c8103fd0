"""The grounds for secrecy a masking cites are data: the seeded common ones, and the
municipality's operator adds, rewords or retires one in the administration (in Swedish),
through the action. A ground is never deleted."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from accounts.errors import Forbidden, Refused
from records.actions.grounds import save_secrecy_ground
from records.models import SecrecyGround
from records.release.queries import grounds_to_choose
from tests.support.cast import Cast

pytestmark = pytest.mark.django_db


def test_the_common_grounds_in_school_are_seeded_in_order() -> None:
    assert [str(ground) for ground in grounds_to_choose()][:3] == [
        "23 kap. 2 § OSL",
        "21 kap. 1 § OSL",
        "21 kap. 3 § OSL",
    ]
    ground = SecrecyGround.objects.get(provision="23 kap. 2 §")
    with translation.override("sv"):
        assert ground.title == "Elevhälsa och särskilt stöd"
    with translation.override("en"):
        assert ground.title == "Student health and special support"


def test_only_an_operator_adds_a_ground_and_a_retired_one_is_no_longer_offered(cast: Cast) -> None:
    for person in (cast.principal, cast.registrar, cast.school_admin):
        with pytest.raises(Forbidden):
            save_secrecy_ground(person, None, provision="39 kap. 3 §", title_sv="Personal", title_en="Staff")
    ground = save_secrecy_ground(
        cast.operator, None, provision=" 39 kap.  3 § ", title_sv="Personalärenden", title_en="Staff matters"
    )
    assert ground.provision == "39 kap. 3 §"
    assert ground in grounds_to_choose()
    save_secrecy_ground(
        cast.operator,
        ground.pk,
        provision="39 kap. 3 §",
        title_sv="Personalärenden",
        title_en="Staff matters",
        active=False,
    )
    assert ground not in grounds_to_choose()
    assert SecrecyGround.objects.filter(pk=ground.pk).exists()


def test_a_provision_is_given_once_and_described_in_both_languages(cast: Cast) -> None:
    with pytest.raises(Refused) as taken:
        save_secrecy_ground(cast.operator, None, provision="23 kap. 2 §", title_sv="x", title_en="x")
    assert taken.value.field == "provision"
    with pytest.raises(Refused) as untitled:
        save_secrecy_ground(cast.operator, None, provision="40 kap. 2 §", title_sv="Något", title_en=" ")
    assert untitled.value.field == "title_en"
    with pytest.raises(Refused):
        save_secrecy_ground(cast.operator, None, provision="  ", title_sv="Något", title_en="Some")


def test_the_admin_adds_a_ground_in_swedish_through_the_action(cast: Cast, client_for: object) -> None:
    operator: Client = client_for(cast.operator)  # type: ignore[operator]
    page = operator.get("/admin/records/secrecyground/add/", HTTP_ACCEPT_LANGUAGE="sv")
    body = page.content.decode()
    assert page.status_code == 200
    for label in ("Lagrum", "Beskrivning på svenska", "Beskrivning på engelska", "Används"):
        assert label in body, label
    answer = operator.post(
        "/admin/records/secrecyground/add/",
        {
            "provision": "18 kap. 1 §",
            "title_sv": "Förundersökning",
            "title_en": "Preliminary investigation",
            "position": "9",
            "active": "on",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert SecrecyGround.objects.filter(provision="18 kap. 1 §", position=9).exists()
    administrator: Client = client_for(cast.school_admin)  # type: ignore[operator]
    assert administrator.get("/admin/records/secrecyground/").status_code == 403
    ground = SecrecyGround.objects.get(provision="18 kap. 1 §")
    assert (
        operator.post(f"/admin/records/secrecyground/{ground.pk}/delete/", {"post": "yes"}).status_code == 403
    )
