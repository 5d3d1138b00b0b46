from django.urls import path

from . import views

app_name = "apitokens"
urlpatterns = [
    path("accounts/tokens/", views.token_list, name="list"),
    path("accounts/tokens/<int:pk>/revoke/", views.token_revoke, name="revoke"),
]
