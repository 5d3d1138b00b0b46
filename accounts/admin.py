from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Team, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Helpdesk", {"fields": ("role", "language", "teams", "email_updates", "available")}),
    )
    list_display = ("username", "email", "role", "is_staff", "is_active")
    list_filter = ("role", "teams", "is_staff", "is_active")
    filter_horizontal = ("teams", "groups", "user_permissions")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "tier", "specialty", "is_default_for_tier", "routing")
    list_filter = ("tier",)
