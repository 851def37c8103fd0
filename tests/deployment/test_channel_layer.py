"""The channel layer fans out between server processes through Redis."""

from __future__ import annotations

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
