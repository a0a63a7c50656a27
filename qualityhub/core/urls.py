from django.urls import path

from qualityhub.core import views

app_name = "core"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("organisation/switch/", views.set_active_organisation, name="organisation-switch"),
    path("audit/<str:model>/<str:pk>/", views.AuditLogView.as_view(), name="audit-log"),
    path("notifications/", views.NotificationListView.as_view(), name="notification-list"),
    path("imports/", views.ImportListView.as_view(), name="import-list"),
    path("imports/new/<slug:spec>/", views.ImportCreateView.as_view(), name="import-create"),
    path("imports/template/<slug:spec>.xlsx", views.ImportTemplateView.as_view(), name="import-template"),
    path("imports/<int:pk>/", views.ImportDetailView.as_view(), name="import-detail"),
    path("imports/<int:pk>/resume/", views.ImportResumeView.as_view(), name="import-resume"),
    path("imports/<int:pk>/errors.xlsx", views.ImportErrorsView.as_view(), name="import-errors"),
]
