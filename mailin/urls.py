from django.urls import include, path

# Hosted mail services post inbound mail to /anymail/<esp>/inbound/ (django-anymail checks the
# ESP's signature and the basic-auth WEBHOOK_SECRET; see README "Email in").
urlpatterns = [path("anymail/", include("anymail.urls"))]
