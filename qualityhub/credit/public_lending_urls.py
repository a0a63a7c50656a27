"""The public verification page of lender reports (no login), mounted at /verify/."""

from django.urls import path

from qualityhub.credit import views_lending

app_name = "credit-verify"

urlpatterns = [
    path("<str:number>", views_lending.verify, name="verify"),
]
