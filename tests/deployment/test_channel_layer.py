"""The channel layer fans out between server processes through Redis pub/sub."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from channels.layers import get_channel_layer
from django.conf import settings

from config.channel_layer import ResilientRedisChannelLayer


def test_suite_runs_against_redis() -> None:
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "config.channel_layer.ResilientRedisChannelLayer"


async def _subscribed(layer: Any, group: str, channel: str) -> None:
    """Join, and wait until Redis has taken the subscription (it travels on the layer's own
    connection; this asks on another)."""
    await layer.group_add(group, channel)
    name = layer._get_group_channel_name(group)
    connection = layer.connection(layer.consistent_hash(name))
    for _attempt in range(100):
        if dict(await connection.pubsub_numsub(name))[name.encode()]:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{group} was never subscribed")


@pytest.mark.asyncio
async def test_a_group_message_reaches_a_channel_of_another_layer_instance() -> None:
    """Two layer instances stand for two Daphne processes sharing one Redis."""
    sender = get_channel_layer()
    receiver_process = ResilientRedisChannelLayer(**settings.CHANNEL_LAYERS["default"]["CONFIG"])
    channel = await receiver_process.new_channel()
    try:
        await _subscribed(receiver_process, "school-1-test", channel)
        await sender.group_send("school-1-test", {"type": "test.ping", "n": 1})
        message = await asyncio.wait_for(receiver_process.receive(channel), 5)
        assert message == {"type": "test.ping", "n": 1}
    finally:
        await receiver_process.flush()


@pytest.mark.asyncio
async def test_a_subscription_whose_connection_redis_dropped_comes_back_by_itself() -> None:
    """A restarted Redis, a failover or a proxy's idle cut end the process's subscribing
    connection; its groups must be heard again without any socket joining anew."""
    sender = get_channel_layer()
    receiver_process = ResilientRedisChannelLayer(**settings.CHANNEL_LAYERS["default"]["CONFIG"])
    channel = await receiver_process.new_channel()
    try:
        await _subscribed(receiver_process, "school-2-test", channel)
        name = receiver_process._get_group_channel_name("school-2-test")
        subscriber = receiver_process._get_layer()._get_shard(name)._pubsub.connection
        host, port = subscriber._writer.get_extra_info("sockname")[:2]
        admin = receiver_process.connection(receiver_process.consistent_hash(name))
        assert await admin.execute_command("CLIENT", "KILL", "ADDR", f"{host}:{port}", "SKIPME", "yes")

        # A receive that is cancelled gives its channel up, so one receive waits throughout.
        receiving = asyncio.create_task(receiver_process.receive(channel))
        for _attempt in range(50):  # what is published before the subscription is back is lost
            await sender.group_send("school-2-test", {"type": "test.ping", "n": 2})
            await asyncio.wait([receiving], timeout=0.2)
            if receiving.done():
                break
        assert receiving.done(), "the subscription did not come back"
        message = receiving.result()
        assert message == {"type": "test.ping", "n": 2}
    finally:
        await receiver_process.flush()
