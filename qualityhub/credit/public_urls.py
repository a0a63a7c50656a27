"""The public credit code URLs, mounted at the site root: /q/<code> is what QR codes
print, so it stays short and never changes."""

from django.urls import path

from qualityhub.credit import views_codes

app_name = "qcode"

urlpatterns = [
    path("q/<str:code>", views_codes.code_page, name="page"),
    path("q/<str:code>/report/", views_codes.CodeReportView.as_view(), name="report"),
]
