from django.urls import path

from . import consumers

websocket_urlpatterns = [
    path("ws/chat/agent/", consumers.AgentChatConsumer.as_asgi()),
    path("ws/chat/", consumers.CustomerChatConsumer.as_asgi()),
]
