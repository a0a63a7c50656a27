from django.urls import path

from qualityhub.credit import views_lending as views

urlpatterns = [
    path("lending/consents/", views.ConsentListView.as_view(), name="lending-consent-list"),
    path("lending/consents/<int:pk>/revoke/", views.ConsentRevokeView.as_view(), name="lending-consent-revoke"),
    path("lending/access-log/", views.AccessLogView.as_view(), name="lending-access-log"),
    path("lending/enterprises/", views.GrantedListView.as_view(), name="lending-bank-list"),
    path("lending/enterprises/<int:pk>/report/", views.ReportView.as_view(), name="lending-report"),
    path("lending/enterprises/<int:pk>/report.pdf", views.ReportDownloadView.as_view(), name="lending-report-pdf"),
]
