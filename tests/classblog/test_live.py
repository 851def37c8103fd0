"""The class blog on the live socket, through the real ASGI application (origin check,
session authentication, the consumer) and the real Redis channel layer: who is told that
a post changed, and the catch-up after a reconnect."""

from __future__ import annotations

import asyncio
import datetime
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from accounts import policy
from accounts.actions import memberships as m
from accounts.models import Guardianship, User
from classblog.actions import announce_due_posts, approve_post, decline_post
from classblog.models import ClassBlog, Post
from tests.support.blog import classmate, comment, pending_post, published_post, set_blog
from tests.support.cast import ROLES, Cast, build_cast
from tests.support.sockets import open_socket, receive, receive_type, send

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.asyncio]

CLASS_4A = ("student", "guardian_1", "guardian_2", "teacher", "principal")


@dataclass
class World:
    cast: Cast
    mate: User  # a second student of 4A
    mates_guardian: User

    def person(self, role: str) -> User:
        if role in ("mate", "mates_guardian"):
            return getattr(self, role)
        user = self.cast.person(role)
        assert user is not None
        return user


@pytest_asyncio.fixture
async def world() -> World:
    def build() -> World:
        cast = build_cast()
        set_blog(cast, student_posts=True, comments=ClassBlog.Comments.EVERYONE)
        return World(cast, *classmate(cast))

    return await database_sync_to_async(build)()


async def blog_subscribe(
    communicator: WebsocketCommunicator, class_id: int, after: int | None = None
) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "blog_subscribe", "blog": class_id}
    if after is not None:
        frame["after"] = after
    await send(communicator, frame)
    while True:
        answer = await receive(communicator)
        if answer["type"] in ("blog_subscribed", "error"):
            return answer


async def following_blog(user: User, class_id: int, after: int | None = None) -> WebsocketCommunicator:
    communicator, connected, _ = await open_socket(user)
    assert connected, user
    answer = await blog_subscribe(communicator, class_id, after)
    assert answer["type"] == "blog_subscribed", (user, answer)
    return communicator


async def notices(communicator: WebsocketCommunicator) -> list[dict[str, Any]]:
    """The blog notices that arrive within a second (and any that follow closely)."""
    frames = []
    timeout = 1.0
    while not await communicator.receive_nothing(timeout=timeout):
        frames.append(await receive(communicator))
        timeout = 0.3
    return [frame for frame in frames if frame["type"] == "blog"]


async def notices_of(sockets: dict[str, WebsocketCommunicator]) -> dict[str, list[dict[str, Any]]]:
    """Every socket's notices, listened to at the same time."""
    received = await asyncio.gather(*(notices(communicator) for communicator in sockets.values()))
    return dict(zip(sockets, received, strict=True))


async def close_all(sockets: dict[str, WebsocketCommunicator]) -> None:
    for communicator in sockets.values():
        await communicator.disconnect()


async def test_a_new_post_reaches_the_open_blog_of_every_class_member_and_no_one_elses(world: World) -> None:
    cast = world.cast
    sockets = {role: await following_blog(world.person(role), cast.class_4a.pk) for role in CLASS_4A}
    # The other class's student and guardian follow their own blog, and may not follow 4A's.
    for role in ("other_student", "other_guardian"):
        sockets[role] = await following_blog(world.person(role), cast.class_4b.pk)
        refused = await blog_subscribe(sockets[role], cast.class_4a.pk)
        assert (refused["type"], refused["code"]) == ("error", "not_found"), role
    outsiders = [r for r in ROLES[1:] if r not in CLASS_4A and r not in ("other_student", "other_guardian")]
    for role in outsiders:
        communicator, connected, _ = await open_socket(world.person(role))
        assert connected, role
        refused = await blog_subscribe(communicator, cast.class_4a.pk)
        assert (refused["type"], refused["code"]) == ("error", "not_found"), role
        missing = await blog_subscribe(communicator, 10_000_000)
        assert missing["message"] == refused["message"], role  # no way to probe which classes exist
        sockets[role] = communicator

    post = await database_sync_to_async(published_post)(cast)

    received = await notices_of(sockets)
    told = {"type": "blog", "blog": cast.class_4a.pk, "post": post.pk, "seq": post.change_seq}
    assert {role for role, frames in received.items() if frames} == set(CLASS_4A)
    for role in CLASS_4A:
        assert received[role] == [told], role
    readers = await database_sync_to_async(lambda: set(policy.readers_of_class_blog(cast.class_4a)))()
    assert {world.person(role) for role in CLASS_4A} | {world.mate, world.mates_guardian} == readers
    await close_all(sockets)


async def test_a_students_waiting_post_reaches_only_the_teachers_the_principal_and_its_author(
    world: World,
) -> None:
    cast = world.cast
    roles = (*CLASS_4A, "mate", "mates_guardian")
    sockets = {role: await following_blog(world.person(role), cast.class_4a.pk) for role in roles}
    # The author's other tab, not showing the blog, is not told either.
    other_tab, connected, _ = await open_socket(cast.student)
    assert connected
    sockets["student's other tab"] = other_tab

    post = await database_sync_to_async(pending_post)(cast)

    received = await notices_of(sockets)
    assert {role for role, frames in received.items() if frames} == {"student", "teacher", "principal"}
    assert received["teacher"] == [{"type": "blog", "blog": cast.class_4a.pk, "post": post.pk, "seq": 1}]

    approved = await database_sync_to_async(approve_post)(cast.teacher, post)

    received = await notices_of(sockets)
    assert {role for role, frames in received.items() if frames} == set(roles)
    for role in roles:
        assert received[role] == [
            {"type": "blog", "blog": cast.class_4a.pk, "post": post.pk, "seq": approved.change_seq}
        ], role
    await close_all(sockets)


async def test_a_declined_post_is_told_to_its_author_and_the_moderators_only(world: World) -> None:
    cast = world.cast
    roles = (*CLASS_4A, "mate")
    post = await database_sync_to_async(pending_post)(cast)
    sockets = {role: await following_blog(world.person(role), cast.class_4a.pk) for role in roles}

    await database_sync_to_async(decline_post)(cast.teacher, post, reason="Skriv om utflykten i stället.")

    received = await notices_of(sockets)
    assert {role for role, frames in received.items() if frames} == {"student", "teacher", "principal"}
    await close_all(sockets)


async def test_a_scheduled_post_is_told_to_the_moderators_and_to_the_class_once_its_time_has_come(
    world: World,
) -> None:
    cast = world.cast
    roles = (*CLASS_4A, "mate")
    sockets = {role: await following_blog(world.person(role), cast.class_4a.pk) for role in roles}
    due = timezone.now() + datetime.timedelta(hours=1)

    post = await database_sync_to_async(published_post)(cast, publish_at=due)

    received = await notices_of(sockets)
    assert {role for role, frames in received.items() if frames} == {"teacher", "principal"}

    announced = await database_sync_to_async(announce_due_posts)(due + datetime.timedelta(minutes=1))
    assert announced == 1

    received = await notices_of(sockets)
    seq = (await database_sync_to_async(Post.objects.get)(pk=post.pk)).change_seq
    for role in roles:
        assert received[role] == [{"type": "blog", "blog": cast.class_4a.pk, "post": post.pk, "seq": seq}], (
            role
        )

    assert await database_sync_to_async(announce_due_posts)(due + datetime.timedelta(minutes=2)) == 0
    assert all(frames == [] for frames in (await notices_of(sockets)).values())
    await close_all(sockets)


async def test_a_new_comment_is_told_to_everyone_who_reads_the_post(world: World) -> None:
    cast = world.cast
    post = await database_sync_to_async(published_post)(cast)
    sockets = {role: await following_blog(world.person(role), cast.class_4a.pk) for role in CLASS_4A}
    await database_sync_to_async(comment)(cast.guardian_1, post, "Tack för informationen!")
    received = await notices_of(sockets)
    for role in CLASS_4A:
        assert [frame["post"] for frame in received[role]] == [post.pk], role
    await close_all(sockets)


async def test_a_reopened_blog_catches_up_on_what_each_reader_may_see(world: World) -> None:
    cast = world.cast
    tab = await following_blog(cast.guardian_1, cast.class_4a.pk)
    await tab.disconnect()  # the phone went to sleep

    first = await database_sync_to_async(published_post)(cast)
    waiting = await database_sync_to_async(pending_post)(cast)
    await database_sync_to_async(comment)(cast.student, first, "Kul!")  # event 3 concerns ``first``

    async def catch_up(user: User, after: int | None) -> dict[str, Any]:
        communicator, connected, _ = await open_socket(user)
        assert connected
        answer = await blog_subscribe(communicator, cast.class_4a.pk, after)
        await communicator.disconnect()
        return answer

    guardians = await catch_up(cast.guardian_1, 0)
    assert (guardians["type"], guardians["head"], guardians["changed"]) == ("blog_subscribed", 3, [first.pk])
    assert (await catch_up(cast.student, 0))["changed"] == [waiting.pk, first.pk]
    assert (await catch_up(cast.teacher, 0))["changed"] == [waiting.pk, first.pk]
    assert (await catch_up(cast.teacher, 2))["changed"] == [first.pk]
    assert (await catch_up(world.mate, 1))["changed"] == [first.pk]  # not the classmate's waiting post
    assert (await catch_up(cast.guardian_1, 3))["changed"] == []
    without_after = await catch_up(cast.guardian_1, None)
    assert (without_after["head"], without_after["changed"]) == (3, [])


async def test_the_pong_carries_each_followed_blogs_head(world: World) -> None:
    cast = world.cast
    principal = await following_blog(cast.principal, cast.class_4a.pk)
    assert (await blog_subscribe(principal, cast.class_4b.pk))["head"] == 0
    await database_sync_to_async(published_post)(cast)
    await database_sync_to_async(published_post)(cast, author=cast.other_teacher, school_class=cast.class_4b)
    await database_sync_to_async(published_post)(cast, author=cast.other_teacher, school_class=cast.class_4b)
    await send(principal, {"type": "ping"})
    pong = await receive_type(principal, "pong")
    assert pong["blogs"] == {str(cast.class_4a.pk): 1, str(cast.class_4b.pk): 2}
    await principal.disconnect()


async def test_a_guardian_withdrawn_while_the_blog_is_open_stops_hearing_from_it(world: World) -> None:
    cast = world.cast
    guardian = await following_blog(cast.guardian_2, cast.class_4a.pk)
    teacher = await following_blog(cast.teacher, cast.class_4a.pk)

    def withdraw() -> None:
        guardianship = Guardianship.objects.get(guardian=cast.guardian_2, student=cast.student)
        m.end_membership(cast.school_admin, guardianship, reason="Court decision")

    await database_sync_to_async(withdraw)()
    revoked = await receive_type(guardian, "revoked")
    assert revoked == {"type": "revoked", "blog": cast.class_4a.pk}

    await database_sync_to_async(published_post)(cast)
    assert [frame["type"] for frame in await notices(teacher)] == ["blog"]
    assert await notices(guardian) == []
    refused = await blog_subscribe(guardian, cast.class_4a.pk)
    assert refused["code"] == "not_found"
    for communicator in (guardian, teacher):
        await communicator.disconnect()


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "blog_subscribe"},
        {"type": "blog_subscribe", "blog": "4A"},
        {"type": "blog_subscribe", "blog": 0},
        {"type": "blog_subscribe", "blog": True},
        {"type": "blog_subscribe", "blog": "CLASS", "after": -1},
    ],
    ids=["no blog", "a name", "zero", "a boolean", "a negative after"],
)
async def test_a_malformed_blog_subscription_is_answered_with_an_error(
    frame: dict[str, Any], world: World
) -> None:
    cast = world.cast
    if frame.get("blog") == "CLASS":
        frame = {**frame, "blog": cast.class_4a.pk}
        await database_sync_to_async(published_post)(cast)  # the blog exists, so "after" is read
    communicator, connected, _ = await open_socket(cast.student)
    assert connected
    await send(communicator, frame)
    answer = await receive(communicator)
    assert (answer["type"], answer["code"]) == ("error", "malformed")
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()
