"""The registry of what people are told about.

The apps that announce events (dialogue, classblog) live on higher floors; they register
here, in their ``AppConfig.ready``, how each of their events becomes a notice: who the
policy says should hear of it, where it points and the names its text needs. This app
never imports them. The registry also holds the checks that ask the policy again, at send
time, whether a person may still open what a notice points to.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from notifications.models import Channel

# A text parameter: plain, or one value per language (a subject's Swedish and English name).
Param = str | Mapping[str, str]


@dataclass(frozen=True)
class Group:
    """Kinds of events a person turns on and off together."""

    key: str
    label: Promise
    help: Promise


GROUPS: tuple[Group, ...] = (
    Group("assessments", _("Written assessments"), _("A teacher publishes a written assessment.")),
    Group("messages", _("Messages"), _("Someone writes on a student's page you belong to.")),
    Group("goals", _("Goals and self-assessments"), _("Goals are set, proposed or decided.")),
    Group("talks", _("Development talks"), _("Talks are booked, moved, cancelled or recorded.")),
    Group(
        "action_programmes",
        _("Action programmes and special support"),
        _(
            "A programme is drafted, decided, followed up or closed; a need for special support "
            "is reported or decided."
        ),
    ),
    Group("blog_posts", _("Class blog posts"), _("A new post on a class blog you can read.")),
    Group(
        "blog_review",
        _("Blog posts to approve"),
        _("A student's post waits for approval, or your post was approved or declined."),
    ),
)
GROUP_KEYS = frozenset(group.key for group in GROUPS)

# Who someone is to what happened decides the default: "family" is the student and the
# guardians, "staff" the teachers and the principal.
FAMILY, STAFF = "family", "staff"
_ALL = frozenset(Channel)
DEFAULTS: dict[str, dict[str, frozenset[str]]] = {
    "assessments": {FAMILY: _ALL, STAFF: frozenset({Channel.IN_APP})},
    "messages": {
        FAMILY: frozenset({Channel.IN_APP, Channel.PUSH}),
        STAFF: frozenset({Channel.IN_APP, Channel.PUSH}),
    },
    "goals": {FAMILY: frozenset({Channel.IN_APP, Channel.PUSH}), STAFF: frozenset({Channel.IN_APP})},
    "talks": {FAMILY: _ALL, STAFF: frozenset({Channel.IN_APP, Channel.PUSH})},
    "action_programmes": {FAMILY: _ALL, STAFF: frozenset({Channel.IN_APP, Channel.PUSH})},
    "blog_posts": {FAMILY: frozenset({Channel.IN_APP, Channel.PUSH}), STAFF: frozenset({Channel.IN_APP})},
    "blog_review": {
        FAMILY: frozenset({Channel.IN_APP, Channel.PUSH}),
        STAFF: frozenset({Channel.IN_APP, Channel.PUSH}),
    },
}


@dataclass(frozen=True)
class Notice:
    """What one event tells: computed by the announcing app with the access policy.

    ``recipients`` maps user id to FAMILY or STAFF and holds only people the policy lets
    open ``target``; the actor is removed later (nobody is told about their own action).
    """

    target: str
    url: str
    recipients: Mapping[int, str]
    params: Mapping[str, Param] = field(default_factory=dict)
    actor_id: int | None = None
    # What the inbox groups the notice by, where that is wider than ``url`` without its
    # fragment (the default): the posts of one class blog are one line.
    source: str = ""
    # Parameters that differ for some recipients (recipient id -> the params to use instead):
    # a protected person's name is the neutral label for those the policy does not let see
    # it, in the inbox, the push and the e-mail alike (all are written from the params).
    params_for: Mapping[int, Mapping[str, Param]] = field(default_factory=dict)


@dataclass(frozen=True)
class Kind:
    name: str
    group: str
    describe: Callable[[Mapping[str, Any]], Notice | None]  # None: tells nobody (gone since)
    title: Promise  # "%(subject)s"-style, filled from the notice's params
    body: Promise
    # The title of several of this kind from one actor about one source, shown as one line
    # of the inbox: a plural (``ngettext_lazy`` on "count") filled with the params and the count.
    many: Promise | None = None


_kinds: dict[str, Kind] = {}
_targets: dict[str, Callable[[User, int], bool]] = {}


@dataclass(frozen=True)
class Periodic:
    name: str
    run: Callable[[], object]
    every_seconds: int


_periodic: dict[str, Periodic] = {}


def register(
    name: str,
    *,
    group: str,
    describe: Callable[[Mapping[str, Any]], Notice | None],
    title: Promise,
    body: Promise,
    many: Promise | None = None,
) -> None:
    assert group in GROUP_KEYS, group
    _kinds[name] = Kind(name, group, describe, title, body, many)


def register_target(prefix: str, may_open: Callable[[User, int], bool]) -> None:
    """``may_open(user, id)`` asks the policy whether the user may open ``<prefix>:<id>``."""
    _targets[prefix] = may_open


def register_periodic(name: str, run: Callable[[], object], *, every_seconds: int) -> None:
    """A job the worker runs on a schedule (reminders, scheduled posts)."""
    _periodic[name] = Periodic(name, run, every_seconds)


def kind(name: str) -> Kind | None:
    return _kinds.get(name)


def kinds() -> Iterable[Kind]:
    return _kinds.values()


def periodic_jobs() -> Iterable[Periodic]:
    return _periodic.values()


def may_open(user: User, target: str) -> bool:
    """Whether the policy lets the user open what ``target`` names, today. An unknown
    target opens for nobody."""
    prefix, _sep, raw_id = target.partition(":")
    check = _targets.get(prefix)
    if check is None or not raw_id.isdigit():
        return False
    return check(user, int(raw_id))


def target(prefix: str, pk: int) -> str:
    return f"{prefix}:{pk}"
