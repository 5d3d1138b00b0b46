from django.urls import path

from . import views

app_name = "automation"
urlpatterns = [
    path("agent/tickets/<int:ticket_id>/macros/<int:macro_id>/apply/", views.macro_apply, name="macro_apply"),
    path("agent/config/macros/", views.macro_list, name="macros"),
    path("agent/config/macros/new/", views.macro_edit, name="macro_new"),
    path("agent/config/macros/<int:pk>/", views.macro_edit, name="macro_edit"),
    path("agent/config/macros/<int:pk>/delete/", views.macro_delete, name="macro_delete"),
    path("agent/config/rules/", views.rule_list, name="rules"),
    path("agent/config/rules/new/", views.rule_edit, name="rule_new"),
    path("agent/config/rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("agent/config/rules/<int:pk>/move/", views.rule_move, name="rule_move"),
    path("agent/config/rules/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
]
