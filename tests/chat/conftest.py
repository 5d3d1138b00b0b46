from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.core.cache import cache
from django.test import Client

from chat.origins import clear_origins_cache
from knowledgebase.models import Article
from knowledgebase.search import clear_synonym_cache
from knowledgebase.services import article_create

OWN_ORIGIN = b"http://testserver"


@pytest.fixture(autouse=True)
def _fresh_caches():  # noqa: ANN202
    # Our own Redis db: the per-address start counter of an earlier test must not refuse this one.
    cache.clear()
    clear_synonym_cache()
    clear_origins_cache()
    yield
    clear_synonym_cache()
    clear_origins_cache()


@pytest.fixture
def printer_article(tina) -> Article:  # noqa: ANN001
    return article_create(
        by=tina,
        title="Printer shows paper jam",
        body="Open the front cover of the printer, remove the jammed paper, close the cover.",
        status=Article.Status.PUBLISHED,
        language="en",
    )


def session_cookie(user) -> bytes:  # noqa: ANN001
    """A signed-in session for ``user`` (call from the test, not from inside the event loop)."""
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


def communicator(path: str = "/ws/chat/", *, origin: bytes | None = OWN_ORIGIN, cookie: bytes | None = None):  # noqa: ANN201
    """A WebsocketCommunicator against the real ASGI application (origin check, session auth)."""
    from helpdesk.asgi import application

    headers = []
    if origin is not None:
        headers.append((b"origin", origin))
    if cookie is not None:
        headers.append((b"cookie", cookie))
    return WebsocketCommunicator(application, path, headers=headers)


async def receive_until(comm, predicate, limit: int = 30, timeout: float = 5):  # noqa: ANN001, ANN201
    """Frames until one matches ``predicate``; returns (match, frames seen before it)."""
    seen = []
    for _ in range(limit):
        frame = await comm.receive_json_from(timeout=timeout)
        if predicate(frame):
            return frame, seen
        seen.append(frame)
    raise AssertionError(f"no matching frame in {seen}")


def run(coro_fn):  # noqa: ANN001, ANN201
    """The scenario on its own thread: a browser test of the same session keeps Playwright's event loop
    running in the main thread, where async_to_sync refuses to start another."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(async_to_sync(coro_fn)).result()
