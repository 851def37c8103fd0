"""The access matrix: every URL of the site x every role of the shared cast.

One row per named URL pattern, with the expected outcome for every role. The first test
fails when a URL exists without a row (or a row names a URL that no longer exists), so a
new page cannot ship without deciding who may open it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.actions import SYSTEM
from accounts.actions.login import authenticate_with_password
from accounts.actions.structure import create_term
from accounts.models import LoginAttempt, SchoolYear, Term, User
from tests.support.cast import ROLES, Cast
from tests.support.clients import verified_client

OK = 200
FORBIDDEN = 403
NOT_FOUND = 404
NOT_ALLOWED = 405


@dataclass(frozen=True)
class Redirect:
    """A 302 to a named URL (compared without the query string)."""

    to: str

    def path(self) -> str:
        return reverse(self.to)


LOGIN = Redirect("login")
Outcome = int | Redirect


@dataclass
class Row:
    url: Callable[[Cast, dict[str, Any]], str]
    expect: dict[str, Outcome]
    method: str = "get"
    data: dict[str, str] = field(default_factory=dict)


def everyone(outcome: Outcome, *, anonymous: Outcome = LOGIN, **overrides: Outcome) -> dict[str, Outcome]:
    """Same outcome for every logged-in role, with exceptions."""
    table = {role: outcome for role in ROLES}
    table["anonymous"] = anonymous
    table.update(overrides)
    return table


def only(roles: set[str], allowed: Outcome = OK, denied: Outcome = NOT_FOUND) -> dict[str, Outcome]:
    """``allowed`` for the named roles, ``denied`` for every other logged-in role."""
    unknown = roles - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    return everyone(denied, **{role: allowed for role in roles})


ADMINS = {"school_admin", "operator"}
STAFF_WITH_AUTHENTICATOR = {
    "teacher",
    "other_teacher",
    "principal",
    "other_principal",
    "school_admin",
    "operator",
}
FORMER_STAFF_OR_FAMILY = set(ROLES) - STAFF_WITH_AUTHENTICATOR - {"anonymous"}


def fixed(path: str) -> Callable[[Cast, dict[str, Any]], str]:
    return lambda cast, extra: path


def named(
    name: str, *args: Callable[[Cast, dict[str, Any]], object]
) -> Callable[[Cast, dict[str, Any]], str]:
    return lambda cast, extra: reverse(name, args=[arg(cast, extra) for arg in args])


def admin_model_rows(
    model: str,
    obj: Callable[[Cast, dict[str, Any]], object],
    *,
    viewers: set[str],
    adders: set[str],
    changers: set[str],
) -> dict[str, Row]:
    """The five URLs Django's admin has per model. ``viewers`` see list, page and history;
    logged-in people outside ADMINS get 403 from the site itself."""

    def denied_unless(roles: set[str]) -> dict[str, Outcome]:
        return only(roles, OK, FORBIDDEN)

    prefix = f"admin:accounts_{model}"
    page = denied_unless(viewers | changers)
    # Django's old-style object URL redirects any administrator to the change page, which
    # then applies the model's own permission.
    legacy = Row(
        lambda cast, extra: f"/admin/accounts/{model}/{obj(cast, extra)}/",
        only(ADMINS, Redirect(f"/admin/accounts/{model}/{{id}}/change/"), FORBIDDEN),
    )
    return {
        f"<unnamed> admin/accounts/{model}/<path:object_id>/": legacy,
        f"{prefix}_changelist": Row(named(f"{prefix}_changelist"), denied_unless(viewers)),
        f"{prefix}_add": Row(named(f"{prefix}_add"), denied_unless(adders)),
        f"{prefix}_change": Row(named(f"{prefix}_change", obj), page),
        f"{prefix}_history": Row(named(f"{prefix}_history", obj), denied_unless(viewers)),
        # Nothing is ever deleted: memberships end with a date.
        f"{prefix}_delete": Row(named(f"{prefix}_delete", obj), only(set(), denied=FORBIDDEN)),
    }


ROWS: dict[str, Row] = {
    # --- Logging in and out --------------------------------------------------------------
    "login": Row(fixed("/login/"), everyone(Redirect("start"), anonymous=OK)),
    "otp-verify": Row(fixed("/login/code/"), everyone(Redirect("start"))),
    "logout": Row(fixed("/logout/"), everyone(LOGIN), method="post"),
    "set-language": Row(
        fixed("/language/"),
        everyone(Redirect("start"), anonymous=Redirect("start")),
        method="post",
        data={"language": "en", "next": "/"},
    ),
    # --- The account ---------------------------------------------------------------------
    "account": Row(fixed("/account/"), everyone(OK)),
    "password-change": Row(fixed("/account/password/"), everyone(OK)),
    "logout-everywhere": Row(fixed("/account/logout-everywhere/"), everyone(LOGIN), method="post"),
    "otp-setup": Row(fixed("/account/two-factor/"), everyone(OK)),
    "otp-recovery-codes": Row(
        fixed("/account/two-factor/recovery-codes/"),
        only(STAFF_WITH_AUTHENTICATOR, OK, FORBIDDEN),
        method="post",
    ),
    "otp-remove": Row(
        fixed("/account/two-factor/remove/"),
        everyone(FORBIDDEN, **{role: Redirect("account") for role in FORMER_STAFF_OR_FAMILY}),
        method="post",
    ),
    # --- Pages ---------------------------------------------------------------------------
    "start": Row(fixed("/"), everyone(OK)),
    "student": Row(
        named("student", lambda cast, extra: cast.student.pk),
        only({"student", "guardian_1", "guardian_2", "teacher", "principal"}),
    ),
    "class": Row(named("class", lambda cast, extra: cast.class_4a.pk), only({"teacher", "principal"})),
    "school": Row(named("school", lambda cast, extra: cast.school.pk), only({"principal"})),
    # --- School administration -------------------------------------------------------------
    "admin:index": Row(named("admin:index"), only(ADMINS, OK, FORBIDDEN)),
    "admin:login": Row(
        named("admin:login"),
        only(
            ADMINS,
            Redirect("admin:index"),
            FORBIDDEN,
        )
        | {"anonymous": LOGIN},
    ),
    "admin:logout": Row(named("admin:logout"), only(ADMINS, LOGIN, FORBIDDEN), method="post"),
    "admin:password_change": Row(
        named("admin:password_change"), only(ADMINS, Redirect("password-change"), FORBIDDEN)
    ),
    "admin:password_change_done": Row(
        named("admin:password_change_done"), only(ADMINS, Redirect("account"), FORBIDDEN)
    ),
    "admin:jsi18n": Row(named("admin:jsi18n"), only(ADMINS, OK, FORBIDDEN)),
    "admin:app_list": Row(fixed("/admin/accounts/"), only(ADMINS, OK, FORBIDDEN)),
    "admin:autocomplete": Row(
        fixed("/admin/autocomplete/?app_label=accounts&model_name=guardianship&field_name=student&term=an"),
        only(ADMINS, OK, FORBIDDEN),
    ),
    # No model has a public page: "view on site" finds nothing to show.
    "admin:view_on_site": Row(
        lambda cast, extra: reverse(
            "admin:view_on_site", args=[ContentType.objects.get_for_model(User).pk, cast.student.pk]
        ),
        only(ADMINS, NOT_FOUND, FORBIDDEN),
    ),
    "admin:accounts_user_password": Row(
        named("admin:accounts_user_password", lambda cast, extra: cast.student.pk),
        only(ADMINS, OK, FORBIDDEN),
    ),
    **admin_model_rows(
        "user", lambda cast, extra: cast.student.pk, viewers=ADMINS, adders=ADMINS, changers=ADMINS
    ),
    **admin_model_rows(
        "schoolclass", lambda cast, extra: cast.class_4a.pk, viewers=ADMINS, adders=ADMINS, changers=ADMINS
    ),
    **admin_model_rows(
        "term", lambda cast, extra: extra["term"].pk, viewers=ADMINS, adders=ADMINS, changers=ADMINS
    ),
    **admin_model_rows(
        "school", lambda cast, extra: cast.school.pk, viewers=ADMINS, adders={"operator"}, changers=ADMINS
    ),
    **admin_model_rows(
        "schoolyear", lambda cast, extra: extra["year"].pk, viewers=ADMINS, adders=set(), changers=ADMINS
    ),
    **admin_model_rows(
        "subject", lambda cast, extra: cast.maths.pk, viewers=ADMINS, adders=set(), changers=ADMINS
    ),
    **admin_model_rows(
        "loginattempt",
        lambda cast, extra: extra["attempt"].pk,
        viewers={"operator"},
        adders=set(),
        changers={"operator"},
    ),
}


def _named_patterns(resolver: URLResolver | None = None, namespace: str = "", prefix: str = "") -> list[str]:
    """Every URL name of the site, with namespaces (admin:...). Unnamed patterns are listed
    by their full route ('<unnamed> admin/...') so that they need a row too."""
    names = []
    for pattern in (resolver or get_resolver()).url_patterns:
        route = f"{prefix}{pattern.pattern}"
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names += _named_patterns(pattern, inner, route)
        elif isinstance(pattern, URLPattern):
            names.append(f"{namespace}{pattern.name}" if pattern.name else f"<unnamed> {route}")
    return names


def test_every_url_has_a_row_and_every_row_a_url() -> None:
    urls = set(_named_patterns())
    assert urls - set(ROWS) == set(), "URLs without a row in the access matrix"
    assert set(ROWS) - urls == set(), "rows for URLs that no longer exist"


def test_every_row_has_an_outcome_for_every_role() -> None:
    for name, row in ROWS.items():
        assert set(row.expect) == set(ROLES), name


@pytest.fixture
def extra(cast: Cast) -> dict[str, Any]:
    year = SchoolYear.objects.get()
    term = create_term(
        SYSTEM,
        cast.school,
        year,
        kind=Term.Kind.AUTUMN,
        starts_on=year.starts_on,
        ends_on=year.starts_on.replace(month=12, day=20),
    )
    request = RequestFactory().post("/login/", REMOTE_ADDR="192.0.2.1")
    authenticate_with_password(request, "nobody", "wrong password")
    return {"year": year, "term": term, "attempt": LoginAttempt.objects.get()}


def _outcome(response: Any, url: str) -> Outcome:
    if response.status_code in (301, 302):
        location = response["Location"].split("?")[0]
        for candidate in ("login", "start", "account", "password-change", "admin:index"):
            if location == reverse(candidate):
                return Redirect(candidate)
        object_id = url.rstrip("/").rsplit("/", 1)[-1]
        return Redirect(location.replace(f"/{object_id}/", "/{id}/"))
    return int(response.status_code)


@pytest.mark.parametrize("name", sorted(ROWS))
def test_access(name: str, cast: Cast, extra: dict[str, Any]) -> None:
    row = ROWS[name]
    url = row.url(cast, extra)
    failures = []
    for role in ROLES:
        client = verified_client(cast.person(role))
        response = getattr(client, row.method)(url, row.data)
        actual = _outcome(response, url)
        if actual != row.expect[role]:
            failures.append(f"{role}: expected {row.expect[role]}, got {actual}")
    assert not failures, f"{row.method.upper()} {url}\n" + "\n".join(failures)
