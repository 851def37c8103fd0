"""The channel layer fans out between server processes through Redis."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from channels.layers import get_channel_layer
from django.conf import settings

from config.channel_layer import ResilientRedisChannelLayer


def test_suite_runs_against_redis() -> None:
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "config.channel_layer.ResilientRedisChannelLayer"


@pytest.mark.asyncio
async def test_a_group_message_reaches_a_channel_of_another_layer_instance() -> None:
    """Two layer instances stand for two Daphne processes sharing one Redis."""
    sender = get_channel_layer()
    receiver_process = ResilientRedisChannelLayer(**settings.CHANNEL_LAYERS["default"]["CONFIG"])
    channel = await receiver_process.new_channel()
    await receiver_process.group_add("school-1-test", channel)
    try:
        await sender.group_send("school-1-test", {"type": "test.ping", "n": 1})
        message = await receiver_process.receive(channel)
        assert message == {"type": "test.ping", "n": 1}
    finally:
        await receiver_process.group_discard("school-1-test", channel)
        await receiver_process.flush()


@pytest.mark.asyncio
async def test_a_receive_whose_cancellation_was_swallowed_below_it_still_ends() -> None:
    """Python 3.11's ``asyncio.wait_for`` (redis-py's, while connecting) can swallow a
    cancellation; the task still counts it, and the receive must end rather than poll its
    channel for ever (a stopped relay lane did, and held a test's event loop open)."""
    config = {**settings.CHANNEL_LAYERS["default"]["CONFIG"], "receive_timeout": 0.5}
    layer = ResilientRedisChannelLayer(**config)

    async def receive_after_a_swallowed_cancel() -> dict[str, object]:
        task = asyncio.current_task()
        assert task is not None
        task.cancel()
        # Swallowed, as wait_for does when what it waited for completes with the cancel.
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(0)
        return await layer.receive("relay.swallowed.0")

    receiving = asyncio.create_task(receive_after_a_swallowed_cancel())
    try:
        await asyncio.wait([receiving], timeout=5)
        assert receiving.done()
        assert receiving.cancelled()
    finally:
        receiving.cancel()
        await layer.flush()
