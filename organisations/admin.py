from django.contrib import admin

from .models import Domain, Membership, Organisation


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "sla_policy", "members_see_all_tickets"]
    search_fields = ["name", "domains__domain"]
    inlines = [DomainInline, MembershipInline]
