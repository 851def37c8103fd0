"""Which channels a person wants for a group of kinds: their choice where they made one,
else the default for who they are to what happened (family or staff)."""

from __future__ import annotations

from collections.abc import Iterable

from accounts.models import User
from accounts.policy import staff_filter, today
from notifications.kinds import DEFAULTS, FAMILY, GROUPS, STAFF
from notifications.models import Channel, Preference


def audience_of(user: User) -> str:
    """FAMILY or STAFF for the settings page (one query)."""
    return STAFF if User.objects.filter(pk=user.pk).filter(staff_filter(today())).exists() else FAMILY


def channels(group: str, audience: str, overrides: dict[tuple[str, str], bool]) -> set[str]:
    chosen = set(DEFAULTS[group][audience])
    for channel in Channel:
        choice = overrides.get((group, channel.value))
        if choice is True:
            chosen.add(channel.value)
        elif choice is False:
            chosen.discard(channel.value)
    return chosen


def overrides_of(user_ids: Iterable[int], group: str | None = None) -> dict[int, dict[tuple[str, str], bool]]:
    """Every stored choice of these people (one query)."""
    found: dict[int, dict[tuple[str, str], bool]] = {}
    rows = Preference.objects.filter(user__in=list(user_ids))
    if group is not None:
        rows = rows.filter(group=group)
    for user_id, row_group, channel, enabled in rows.values_list("user", "group", "channel", "enabled"):
        found.setdefault(user_id, {})[(row_group, channel)] = enabled
    return found


def table_for(user: User, audience: str) -> list[tuple[str, dict[str, bool]]]:
    """The settings page's grid for someone who is ``audience`` (``audience_of``): per
    group, per channel, on or off (one query)."""
    overrides = overrides_of([user.pk]).get(user.pk, {})
    return [
        (
            group.key,
            {channel.value: channel.value in channels(group.key, audience, overrides) for channel in Channel},
        )
        for group in GROUPS
    ]
