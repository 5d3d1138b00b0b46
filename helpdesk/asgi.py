"""The ASGI entry point: HTTP goes to Django, WebSockets to the live chat (issue #12).

Served by uvicorn (``make run``, the ``chat`` service of docker-compose). Origins are checked at the
handshake, before any consumer runs: our own hosts (``ALLOWED_HOSTS``) plus the websites a supervisor
allowed to embed the chat widget (``chat.origins``).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
# Django first: the routing below imports models.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from chat.origins import ChatOriginValidator  # noqa: E402
from chat.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": ChatOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
