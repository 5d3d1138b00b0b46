from django.urls import path

from . import views

app_name = "twofactor"
urlpatterns = [
    path("accounts/two-factor/", views.overview, name="overview"),
    path("accounts/two-factor/setup/", views.setup, name="setup"),
    path("accounts/two-factor/verify/", views.verify, name="verify"),
    path("accounts/two-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("accounts/two-factor/disable/", views.disable, name="disable"),
    path("accounts/two-factor/people/", views.staff_list, name="staff_list"),
    path("accounts/two-factor/people/<int:pk>/reset/", views.staff_reset, name="staff_reset"),
]
