"""The chat end to end: Chromium with two contexts (a customer on the help centre, an agent in the chat
inbox) against a real uvicorn process on the test database and the Redis channel layer. The server is
restarted in the middle of the chat; both sides reconnect by themselves and no message is lost."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from types import SimpleNamespace

import pytest
from django.conf import settings

from chat.models import Chat, ChatMessage
from knowledgebase.models import Article
from knowledgebase.services import article_create
from tests.conftest import ROOT, signed_in_page, wait_for
from tests.conftest import test_database_url as database_url

pytestmark = [pytest.mark.browser, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

TEXT = {
    "en": {
        "launch": "Chat with us",
        "name": "Your name",
        "email": "Your email address",
        "start": "Start chat",
        "message": "Your message",
        "no": "No, talk to a person",
        "yes": "Yes, solved",
        "available": "Available for chat",
        "accept": "Accept",
        "joined": "Tina has joined the chat.",
        "typing": "is typing…",
        "question": "paper jam in the printer",
        "title": "Printer shows paper jam",
        "body": "Open the front cover of the printer and remove the jammed paper.",
        "deflected": "Glad it helped. The chat has ended.",
    },
    "de": {
        "launch": "Chatten Sie mit uns",
        "name": "Ihr Name",
        "email": "Ihre E-Mail-Adresse",
        "start": "Chat starten",
        "message": "Ihre Nachricht",
        "no": "Nein, mit einem Menschen sprechen",
        "yes": "Ja, gelöst",
        "available": "Für Chats verfügbar",
        "accept": "Annehmen",
        "joined": "Tina ist dem Chat beigetreten.",
        "typing": "schreibt…",
        "question": "Papierstau im Drucker",
        "title": "Drucker meldet Papierstau",
        "body": "Öffnen Sie die vordere Klappe des Druckers und entfernen Sie das gestaute Papier.",
        "deflected": "Schön, dass es geholfen hat. Der Chat ist beendet.",
    },
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):  # noqa: ANN001, ANN201
    """The static files collected once (the server runs without DEBUG, so whitenoise serves STATIC_ROOT)."""
    var = tmp_path_factory.mktemp("chat-var")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "helpdesk.settings_test", "HELPDESK_VAR_DIR": str(var)}
    subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    return var


class AsgiServer:
    """uvicorn serving helpdesk.asgi on a free port; ``restart()`` stops it and starts a new process."""

    def __init__(self, var_dir, log_path) -> None:  # noqa: ANN001
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.var_dir, self.log_path = var_dir, log_path
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "helpdesk.settings_test",
            "DATABASE_URL": database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "HELPDESK_VAR_DIR": str(self.var_dir),
            "CONN_MAX_AGE": "0",
        }
        with self.log_path.open("a") as log:
            self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "helpdesk.asgi:application",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--ws",
                    "websockets",
                    "--lifespan",
                    "off",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        assert wait_for(self._up, 30, 0.2), self.log_path.read_text()[-3000:]

    def _up(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture
def asgi_server(collected_static, tmp_path):  # noqa: ANN001, ANN201
    server = AsgiServer(collected_static, tmp_path / "uvicorn.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _article(tina, lang: str) -> Article:  # noqa: ANN001
    text = TEXT[lang]
    return article_create(
        by=tina, title=text["title"], body=text["body"], status=Article.Status.PUBLISHED, language=lang
    )


def _customer_page(browser, server, lang: str):  # noqa: ANN001, ANN202
    context = browser.new_context(locale=lang, base_url=server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/help/")
    return page


def _start_chat(page, lang: str, name: str = "Carla Kunde") -> None:  # noqa: ANN001
    text = TEXT[lang]
    page.get_by_role("button", name=text["launch"]).click()
    page.get_by_label(text["name"]).fill(name)
    page.get_by_label(text["email"]).fill("carla@example.com")
    page.get_by_role("button", name=text["start"]).click()
    page.get_by_label(text["message"]).fill(text["question"])
    page.get_by_label(text["message"]).press("Enter")


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_bot_answers_with_an_article_and_the_customer_is_deflected(
    browser, asgi_server, service_desk, tina, lang
):  # noqa: ANN001
    _article(tina, lang)
    page = _customer_page(browser, asgi_server, lang)
    _start_chat(page, lang)
    link = page.locator(".hdc-log a", has_text=TEXT[lang]["title"])
    link.wait_for()
    page.get_by_role("button", name=TEXT[lang]["yes"]).click()
    page.locator(".hdc-log", has_text=TEXT[lang]["deflected"]).wait_for()
    page.context.close()
    chat = Chat.objects.get()
    assert chat.end_reason == Chat.EndReason.DEFLECTED
    assert chat.language == lang


def test_customer_and_agent_chat_through_a_server_restart_without_losing_a_message(
    browser, asgi_server, service_desk, tina
):  # noqa: ANN001
    _article(tina, "en")
    agent = signed_in_page(browser, SimpleNamespace(url=asgi_server.url), tina, "en")
    agent.goto("/agent/chat/")
    agent.locator("#chat-connection", has_text="Connected").wait_for()
    agent.get_by_label(TEXT["en"]["available"]).check()

    customer = _customer_page(browser, asgi_server, "en")
    _start_chat(customer, "en")
    customer.locator(".hdc-log a", has_text=TEXT["en"]["title"]).wait_for()
    customer.get_by_role("button", name=TEXT["en"]["no"]).click()

    # The agent sees the waiting customer (offered to her: the visual alert) and accepts.
    waiting = agent.locator("#chat-waiting li", has_text="Carla Kunde")
    waiting.wait_for()
    assert "offered" in (waiting.get_attribute("class") or "")
    waiting.get_by_role("button", name=TEXT["en"]["accept"]).click()
    customer.locator(".hdc-log", has_text=TEXT["en"]["joined"]).wait_for()

    # Both see each other's lines and typing.
    customer.get_by_label("Your message").type("it still jams")
    agent.locator("#chat-typing", has_text="Carla Kunde is typing…").wait_for()
    customer.get_by_label("Your message").press("Enter")
    agent.locator("#chat-log .chat-msg.customer", has_text="it still jams").wait_for()
    agent.get_by_label("Reply").fill("Which printer model is it? <b>not bold</b>")
    agent.get_by_label("Reply").press("Enter")
    customer.locator(".hdc-log", has_text="Which printer model is it? <b>not bold</b>").wait_for()
    assert customer.locator(".hdc-log b").count() == 0  # markup shown as text

    # The server restarts mid-chat: both reconnect by themselves; a line typed while it is down is sent
    # once it is back.
    asgi_server.stop()
    customer.locator(".hdc-status", has_text="Reconnecting").wait_for()
    customer.get_by_label("Your message").fill("sent while the server was down")
    customer.get_by_label("Your message").press("Enter")
    asgi_server.start()
    agent.locator("#chat-log .chat-msg.customer", has_text="sent while the server was down").wait_for(
        timeout=30_000
    )
    agent.locator("#chat-connection", has_text="Connected").wait_for()
    agent.get_by_label("Reply").fill("The LaserJet on floor 2?")
    agent.get_by_label("Reply").press("Enter")
    customer.locator(".hdc-log", has_text="The LaserJet on floor 2?").wait_for()

    chat = Chat.objects.get()
    lines = list(
        ChatMessage.objects.filter(chat=chat, kind__in=["customer", "agent"]).values_list(
            "message__body", flat=True
        )
    )
    assert lines == [
        "paper jam in the printer",
        "it still jams",
        "Which printer model is it? <b>not bold</b>",
        "sent while the server was down",
        "The LaserJet on floor 2?",
    ]
    # Every stored line is on both screens exactly once.
    for body in lines[1:]:
        assert customer.locator(".hdc-msg", has_text=body).count() == 1, body
        assert agent.locator("#chat-log .chat-msg", has_text=body).count() == 1, body
    assert chat.ticket.first_response_at is not None  # the agent's line is the first response
    agent.context.close()
    customer.context.close()
