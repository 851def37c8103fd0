"""The class blog's part of the live socket. Writing happens over HTTP (posts carry files);
the socket only tells an open blog what changed, so that it fetches it.

    {"type": "blog_subscribe", "blog": 4, "after": 17}     follow a class's blog
    -> {"type": "blog_subscribed", "blog": 4, "head": 21, "changed": [88, 90]}

Server -> client: {"type": "blog", "blog": 4, "post": 90, "seq": 21} when a post, its
approval or its comments changed; the browser fetches the post (a view that asks the policy
again, so a notice reaching a socket that has just lost access shows nothing). The ping's
answer carries each followed blog's head, so a dropped notice is caught up.

The groups a socket joins are the policy's answer: every reader joins the blog's readers'
group, its moderators (teachers of the class, the principal) also the moderators' group,
where waiting and scheduled posts are told.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accounts import policy
from accounts.models import User
from classblog import doors, queries
from classblog.actions import moderators_group, readers_group
from writing.frames import int_field

MAX_BLOGS = 5


@dataclass
class BlogSubscription:
    class_id: int
    groups: list[str]
    head: int
    changed: list[int]


def _groups(class_id: int, rights: policy.BlogRights) -> list[str]:
    groups = [readers_group(class_id)]
    if rights.moderate:
        groups.append(moderators_group(class_id))
    return groups


def subscribe(user: User, frame: dict[str, Any]) -> BlogSubscription:
    access = doors.blog(user, int_field(frame, "blog", minimum=1))
    changed: list[int] = []
    if frame.get("after") is not None and access.blog.pk is not None:
        changed = queries.changed_since(access.blog, user, access.rights, int_field(frame, "after"))
    class_id = access.school_class.pk
    return BlogSubscription(class_id, _groups(class_id, access.rights), access.blog.last_seq, changed)


def allowed_groups(user: User, class_ids: list[int]) -> dict[int, list[str]]:
    """The groups of each followed blog the user may still read (access, and the right to
    moderate, can end while the socket is open)."""
    return {
        class_id: _groups(class_id, rights)
        for class_id, rights in doors.readable_blogs(user, class_ids).items()
    }


def heads(class_ids: list[int]) -> dict[str, int]:
    found = queries.blog_heads(class_ids)
    return {str(pk): found.get(pk, 0) for pk in class_ids}
