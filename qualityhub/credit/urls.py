from django.urls import path

from qualityhub.credit import views

app_name = "credit"

urlpatterns = [
    path("records/", views.RecordListView.as_view(), name="record-list"),
    path("records/<int:pk>/", views.RecordDetailView.as_view(), name="record-detail"),
]

from qualityhub.credit import urls_scoring  # noqa: E402

urlpatterns += urls_scoring.urlpatterns
