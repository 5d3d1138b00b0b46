from django.contrib import admin

from .models import SavedView


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "sort", "updated_at"]
    search_fields = ["name", "owner__username"]
    raw_id_fields = ["owner"]
    filter_horizontal = ["shared_with_teams"]
