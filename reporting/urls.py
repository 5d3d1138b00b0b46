from django.urls import path

from . import timereport, views

app_name = "reporting"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("agents/", views.agent_rows, name="agents"),
    path("tickets/", views.metric_ticket_list, name="tickets"),
    path("deflections/", views.deflection_list, name="deflections"),
    path("export/<slug:table>.csv", views.table_csv, name="export"),
    path("time/", timereport.time_page, name="time"),
    path("time/<slug:table>.csv", timereport.time_csv, name="time_export"),
]
