from django.contrib import admin

from .models import AgentChatStatus, Chat, ChatSettings, TeamChatSettings


@admin.register(ChatSettings)
class ChatSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "bot_enabled"]


@admin.register(TeamChatSettings)
class TeamChatSettingsAdmin(admin.ModelAdmin):
    list_display = ["team", "max_chats_per_agent"]


@admin.register(AgentChatStatus)
class AgentChatStatusAdmin(admin.ModelAdmin):
    list_display = ["agent", "available", "changed_at"]


@admin.register(Chat)
class ChatAdmin(admin.ModelAdmin):
    list_display = ["pk", "ticket", "state", "agent", "started_at", "ended_at", "end_reason"]
    list_filter = ["state", "end_reason"]
    readonly_fields = ["ticket", "customer", "team", "agent", "bot_articles"]
    exclude = ["token"]  # the widget's secret is never shown
