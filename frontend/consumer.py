"""The one live socket per browser tab (``/ws/``).

Thin by rule: it authenticates the session (and the one-time-code step where needed),
holds one of the person's places (``socket_slots``: at most WEBSOCKETS_PER_PERSON sockets),
asks the policy before following a page (through ``dialogue.socket``), hands each inbound
frame to one function there, and relays outbound events. What is answered around the
handlers (close codes, unreadable frames, the database being away) is in
``socket_protocol``. Access can end while the socket is open: a membership change, logout
or password change makes it check again, as does the first frame of a new day
(memberships end at midnight).

A socket has no channel of its own: its groups are joined by the process relay
(``frontend.process_relay``), which hands it the events of its groups. Frames are handled one
at a time, and the relayed events that need the database (access and session checks) wait
for the frame before them and run as tasks of their own, so that they never hold up the
relay's other sockets.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, cast

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib import auth
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import openings
from accounts.actions.otp import session_is_verified
from accounts.actions.sessions import session_still_valid
from accounts.actions.strength import carry_session_strength
from accounts.errors import ActionError, Refused
from accounts.events import group_send, page_group, student_group, user_group
from accounts.models import User
from classblog import socket as blog_socket
from dialogue import socket as dialogue_socket
from frontend.process_relay import ProcessRelay, relay_for
from frontend.socket_database import database_sync_to_async
from frontend.socket_protocol import (
    CLOSE_NOT_AUTHENTICATED,
    CLOSE_TOO_MANY_SOCKETS,
    CLOSE_UNAVAILABLE,
    DATABASE_UNAVAILABLE,
    RETRY_AFTER_SECONDS,
    UnreadableFrame,
    handshake_outage_log,
    outage_log,
    read_frame,
    too_many_sockets,
    unavailable,
)
from frontend.socket_slots import socket_slots
from notifications.queries import unread_counts
from writing.frames import answer_frame, encode_frame

log = logging.getLogger("elevdialog.socket")


def _person(session: SessionBase) -> User | None:
    """The session's person as Django reads it for a request (the session's auth hash
    checked: a changed password ends it), if active and past the one-time-code step."""
    user = auth.get_user(cast(HttpRequest, SimpleNamespace(session=session)))
    if not isinstance(user, User) or not user.is_active or not session_is_verified(session, user):
        return None
    return user


def _heartbeat_read(page_ids: list[int], user_ids: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    """The heads of a process's followed pages and its people's unread counts (two queries)."""
    return dialogue_socket.page_heads(page_ids), unread_counts(user_ids)


TYPING_INTERVAL_SECONDS = 2.0
_checking: set[asyncio.Task[None]] = set()  # access and session checks running (strong references)


@dataclass
class Followed:
    page_id: int
    student_id: int


class LiveConsumer(AsyncWebsocketConsumer):
    user: User
    followed: dict[int, Followed]
    blogs: dict[int, list[str]]  # followed class blogs and the groups the policy gave each
    checked_on: Any
    last_typing: dict[int, float]
    public_threads: set[tuple[int, int]]  # (page, thread) known to be read by everyone on their page
    socket_id: str  # names the socket's place in the per-person count (``socket_slots``)
    serial: asyncio.Lock  # one frame or access check at a time
    relay: ProcessRelay
    holds_slot = False

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Channels' own gives every consumer a channel of its own and waits on it beside the
        socket: a receive, a queue and two tasks per socket (about 5 KiB of an idle socket's
        memory with channels-redis), and a round of ``asyncio.wait`` per frame. The sockets' events
        come through the process relay instead, so only the socket is waited on."""
        self.scope = scope
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.base_send = send
        self.serial = asyncio.Lock()
        try:
            while True:
                await self.dispatch(await receive())
        except StopConsumer:
            pass

    # --- Connection --------------------------------------------------------------------

    async def connect(self) -> None:
        try:
            user = await database_sync_to_async(_person)(self.scope["session"])
        except DATABASE_UNAVAILABLE:
            # Accept and close at once with 4503, which the browser backs off from, rather
            # than fail the handshake with HTTP 500 and a traceback (an HTTP refusal reaches
            # the browser only as "connection failed", code 1006).
            handshake_outage_log.note()
            await self.accept()
            await self.close(code=CLOSE_UNAVAILABLE)
            return
        if user is None:
            await self.close(code=CLOSE_NOT_AUTHENTICATED)
            return
        # Following an archive as the school needs a recent strong login (``dialogue.doors``):
        # the session as it was at the handshake (the step-up loads a new page, whose
        # socket is new), its age read at each subscription.
        carry_session_strength(user, self.scope["session"])
        self.user = user
        self.followed = {}
        self.blogs = {}
        self.checked_on = timezone.localdate()
        self.last_typing = {}
        self.public_threads = set()
        self.socket_id = secrets.token_hex(12)
        self.relay = relay_for(self.channel_layer, database_sync_to_async(_heartbeat_read))
        self.relay.connect(user.pk)
        await self.accept()
        if not await socket_slots(self.channel_layer).take(user.pk, self.socket_id):
            await self._refuse_too_many()
            return
        self.holds_slot = True
        await self.relay.join(user_group(user.pk), self)

    async def _refuse_too_many(self) -> None:
        log.info("socket refused: user %s has all their sockets open", self.user.pk)
        with translation.override(self.user.language):
            await self._send(answer_frame(too_many_sockets(settings.WEBSOCKETS_PER_PERSON), None))
        await self.close(code=CLOSE_TOO_MANY_SOCKETS)

    async def disconnect(self, code: int) -> None:
        if not hasattr(self, "user"):
            return
        self.relay.disconnect(self.user.pk)
        if self.holds_slot:
            await socket_slots(self.channel_layer).give_back(self.socket_id)
        for group in self._groups():
            await self.relay.leave(group, self)

    def _groups(self) -> list[str]:
        """Every group this socket joined (through the relay)."""
        groups = [user_group(self.user.pk)]
        groups += [page_group(page_id) for page_id in self.followed]
        for student_id in {followed.student_id for followed in self.followed.values()}:
            groups.append(student_group(student_id))
        for blog_groups in self.blogs.values():
            groups += blog_groups
        return groups

    async def dispatch(self, message: dict[str, Any]) -> None:
        """The socket's own messages (connect, frames, disconnect), one at a time.

        Channels' own dispatch first closes stale database connections, in a thread hop of
        its own, before every frame and event. Every database call here goes through
        ``socket_database``, which does that in its own thread anyway, so the hop is left
        out: under load it was 4.5 % of a server's CPU and a wait on every frame."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        async with self.serial:
            await handler(message)

    # --- Inbound frames ------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Hand the frame to its handler. Every answer about a frame names it as the frame did
        (a send by its ``client_id``, else its ``ref``): errors included, so the browser knows
        which send failed."""
        # Openings made by a frame (following a page) are logged as the socket's.
        with translation.override(self.user.language), openings.through(openings.SOCKET):
            try:
                frame = read_frame(text_data, bytes_data)
            except UnreadableFrame as unreadable:
                await self._send(answer_frame(unreadable.error, unreadable.names))
                return
            try:
                handler = self.handlers.get(frame["type"])
                if handler is None:
                    raise Refused("unknown_type", _("Unknown request type."))
                if timezone.localdate() != self.checked_on:
                    await self._recheck_access()
                await handler(self, frame)
            except ActionError as error:
                await self._send(answer_frame(error, frame))
            except DATABASE_UNAVAILABLE:
                outage_log.note()
                await self._send(answer_frame(unavailable(), frame))
            except Exception:
                log.exception("socket frame failed for user %s", self.user.pk)
                await self._send(
                    answer_frame(
                        ActionError(
                            "server_error",
                            _("Something went wrong on our side. Nothing was lost; try again."),
                        ),
                        frame,
                    )
                )

    async def _send(self, frame: dict[str, Any]) -> None:
        await self.send(text_data=encode_frame(frame))

    def _followed_page(self, frame: dict[str, Any]) -> Followed:
        page_id = frame.get("page")
        followed = self.followed.get(page_id) if isinstance(page_id, int) else None
        if followed is None:
            raise Refused("not_subscribed", _("Open the page first."))
        return followed

    async def on_subscribe(self, frame: dict[str, Any]) -> None:
        if len(self.followed) >= dialogue_socket.MAX_SUBSCRIPTIONS and frame.get("page") not in self.followed:
            raise Refused("too_many_pages", _("Too many pages open in one tab."))
        result = await database_sync_to_async(dialogue_socket.subscribe)(self.user, frame)
        self.followed[result.page_id] = Followed(result.page_id, result.student_id)
        await self.relay.join(page_group(result.page_id), self)
        await self.relay.join(student_group(result.student_id), self)
        await self._send(
            {
                "type": "subscribed",
                "page": result.page_id,
                "head": result.head,
                "complete": result.complete,
                "messages": result.changes,
            }
        )

    async def on_blog_subscribe(self, frame: dict[str, Any]) -> None:
        if len(self.blogs) >= blog_socket.MAX_BLOGS and frame.get("blog") not in self.blogs:
            raise Refused("too_many_pages", _("Too many pages open in one tab."))
        result = await database_sync_to_async(blog_socket.subscribe)(self.user, frame)
        await self._follow_blog(result.class_id, result.groups)
        await self._send(
            {
                "type": "blog_subscribed",
                "blog": result.class_id,
                "head": result.head,
                "changed": result.changed,
            }
        )

    async def _follow_blog(self, class_id: int, groups: list[str]) -> None:
        for group in set(self.blogs.get(class_id, [])) - set(groups):
            await self.relay.leave(group, self)
        self.blogs[class_id] = groups
        for group in groups:
            await self.relay.join(group, self)

    async def on_send(self, frame: dict[str, Any]) -> None:
        self._followed_page(frame)
        await self._send(await database_sync_to_async(dialogue_socket.send)(self.user, frame))

    async def on_change(self, frame: dict[str, Any]) -> None:
        self._followed_page(frame)
        await self._send(await database_sync_to_async(dialogue_socket.change)(self.user, frame))

    async def on_read(self, frame: dict[str, Any]) -> None:
        self._followed_page(frame)
        await database_sync_to_async(dialogue_socket.read)(self.user, frame)

    async def on_unread(self, frame: dict[str, Any]) -> None:
        self._followed_page(frame)
        await self._send(await database_sync_to_async(dialogue_socket.unread)(self.user, frame))

    async def on_check(self, frame: dict[str, Any]) -> None:
        await self._send(await database_sync_to_async(dialogue_socket.check)(self.user, frame))

    async def on_typing(self, frame: dict[str, Any]) -> None:
        """Not stored; at most one announcement per thread every two seconds."""
        followed = self._followed_page(frame)
        thread = frame.get("thread")
        if not isinstance(thread, int):
            raise Refused("malformed", _("The request was not understood."))
        now = time.monotonic()
        if now - self.last_typing.get(thread, 0.0) < TYPING_INTERVAL_SECONDS:
            return
        self.last_typing[thread] = now
        # A thread everyone on the page reads goes to the page's group (kept: a thread's
        # audience never changes); a private one to its readers' own sockets, asked each time.
        groups = [page_group(followed.page_id)] if (followed.page_id, thread) in self.public_threads else None
        if groups is None:
            groups, public = await database_sync_to_async(dialogue_socket.typing_groups)(
                self.user, followed.page_id, thread
            )
            if public:
                self.public_threads.add((followed.page_id, thread))
        event = {
            "type": "dialogue.typing",
            "page": followed.page_id,
            "thread": thread,
            "user": {"id": self.user.pk, "name": self.user.display_name},
        }
        for group in groups:
            await group_send(self.channel_layer, group, event)

    async def on_ping(self, frame: dict[str, Any]) -> None:
        """Heartbeat: the process joins its groups again if a join failed (Redis was away), and
        the browser is told each page's latest event number so it can catch up on anything the
        channel layer dropped."""
        await self.relay.rejoin_if_needed()
        try:
            # From the process's heartbeat read, at most a couple of seconds old (process_relay).
            heads, unread = await self.relay.heartbeat(list(self.followed), self.user.pk)
            pong: dict[str, Any] = {"type": "pong", "heads": heads, "unread": unread}
            if self.blogs:
                pong["blogs"] = await database_sync_to_async(blog_socket.heads)(list(self.blogs))
        except DATABASE_UNAVAILABLE:
            # Still a pong: the socket is alive, and reconnecting would not help; the browser
            # compares the heads again at the next heartbeat that has them.
            outage_log.note()
            pong = {
                "type": "pong",
                "heads": {},
                "unavailable": "database",
                "retry_after": RETRY_AFTER_SECONDS,
            }
        await self._send(pong)

    handlers: dict[str, Callable[[LiveConsumer, dict[str, Any]], Awaitable[None]]] = {
        "subscribe": on_subscribe,
        "blog_subscribe": on_blog_subscribe,
        "send": on_send,
        "edit": on_change,
        "retract": on_change,
        "read": on_read,
        "unread": on_unread,
        "check": on_check,
        "typing": on_typing,
        "ping": on_ping,
    }

    # --- Access changes --------------------------------------------------------------------

    async def _recheck_access(self) -> None:
        today = timezone.localdate()
        await self._recheck_blogs()
        if self.followed:
            await self._recheck_pages()
        self.checked_on = today  # only once it was checked (not if the database was away)

    async def _recheck_pages(self) -> None:
        allowed = await database_sync_to_async(dialogue_socket.still_allowed)(self.user, list(self.followed))
        for page_id in [pk for pk in self.followed if pk not in allowed]:
            followed = self.followed.pop(page_id)
            await self.relay.leave(page_group(page_id), self)
            if not any(f.student_id == followed.student_id for f in self.followed.values()):
                await self.relay.leave(student_group(followed.student_id), self)
            await self._send({"type": "revoked", "page": page_id})

    async def _recheck_blogs(self) -> None:
        if not self.blogs:
            return
        allowed = await database_sync_to_async(blog_socket.allowed_groups)(self.user, list(self.blogs))
        for class_id in list(self.blogs):
            if class_id in allowed:
                await self._follow_blog(class_id, allowed[class_id])
                continue
            for group in self.blogs.pop(class_id):
                await self.relay.leave(group, self)
            await self._send({"type": "revoked", "blog": class_id})

    async def access_recheck(self, event: dict[str, Any]) -> None:
        self._check_in_turn(self._check_access)

    async def session_recheck(self, event: dict[str, Any]) -> None:
        self._check_in_turn(self._check_session)

    def _check_in_turn(self, check: Callable[[], Awaitable[None]]) -> None:
        """Run a relayed check as a task of its own, after the frame being handled."""

        async def in_turn() -> None:
            try:
                async with self.serial:
                    await check()
            except Exception:  # the socket may have closed meanwhile
                log.debug("a socket's check failed", exc_info=True)

        task = asyncio.get_running_loop().create_task(in_turn())
        _checking.add(task)
        task.add_done_callback(_checking.discard)

    async def _check_access(self) -> None:
        try:
            await self._recheck_access()
        except DATABASE_UNAVAILABLE:
            await self._close_unchecked()

    async def _check_session(self) -> None:
        """The session may have ended (logout, password change, log out everywhere)."""
        try:
            valid = await database_sync_to_async(session_still_valid)(
                self.scope["session"].session_key, self.user.pk
            )
        except DATABASE_UNAVAILABLE:
            await self._close_unchecked()
            return
        if not valid:
            await self.close(code=CLOSE_NOT_AUTHENTICATED)

    async def _close_unchecked(self) -> None:
        """Access may have ended and cannot be checked: close rather than keep serving. The
        browser reconnects later, and its handshake checks everything again."""
        outage_log.note()
        await self.close(code=CLOSE_UNAVAILABLE)

    # --- Outbound events -----------------------------------------------------------------

    async def dialogue_message(self, event: dict[str, Any]) -> None:
        """A message frame, encoded once by its publisher for every socket that shows it (from
        the relay for a page's group, or from the person's own group for a private thread)."""
        if event["page"] in self.followed:
            await self.send(text_data=event["frame"])

    async def dialogue_typing(self, event: dict[str, Any]) -> None:
        if event["page"] in self.followed and event["user"]["id"] != self.user.pk:
            await self._send(
                {"type": "typing", "page": event["page"], "thread": event["thread"], "user": event["user"]}
            )

    async def dialogue_unread(self, event: dict[str, Any]) -> None:
        await self._send({"type": "unread", "page": event["page"], "unread": event["unread"]})

    async def dialogue_receipts(self, event: dict[str, Any]) -> None:
        """Who has read the person's own messages (sent to the writer's sockets only)."""
        if event["page"] in self.followed:
            await self._send(
                {
                    "type": "receipts",
                    "page": event["page"],
                    "thread": event["thread"],
                    "receipts": event["receipts"],
                }
            )

    async def inbox_changed(self, event: dict[str, Any]) -> None:
        """The person's unread count changed (a new notification, read on another tab)."""
        await self._send({"type": "inbox", "unread": event["unread"]})

    async def blog_change(self, event: dict[str, Any]) -> None:
        """Ids only; the browser fetches the post through a view that asks the policy."""
        if event["blog"] in self.blogs:
            await self._send(
                {"type": "blog", "blog": event["blog"], "post": event["post"], "seq": event["seq"]}
            )
