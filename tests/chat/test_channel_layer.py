"""The Redis channel layer as configured: a consumer whose channel stays quiet longer than redis-py 8's
default 5 s socket timeout must go on waiting, not die (django/channels_redis#422)."""

from __future__ import annotations

import asyncio

import pytest
from channels.layers import get_channel_layer
from django.conf import settings

from .conftest import run

pytestmark = [pytest.mark.redis]


def test_a_quiet_channel_waits_longer_than_five_seconds_for_its_message() -> None:
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"

    async def scenario() -> dict:
        layer = get_channel_layer()
        channel = await layer.new_channel()

        async def send_later() -> None:
            await asyncio.sleep(6.5)
            await layer.send(channel, {"type": "chat.line", "text": "still there?"})

        sender = asyncio.create_task(send_later())
        try:
            return await asyncio.wait_for(layer.receive(channel), timeout=20)
        finally:
            await sender
            await layer.flush()
            await layer.close_pools()

    assert run(scenario) == {"type": "chat.line", "text": "still there?"}
