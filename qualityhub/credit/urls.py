from django.urls import path

from qualityhub.credit import urls_codes, urls_lending, urls_scoring, views

app_name = "credit"

urlpatterns = [
    path("records/", views.RecordListView.as_view(), name="record-list"),
    path("records/new/", views.RecordCreateView.as_view(), name="record-create"),
    path("records/<int:pk>/", views.RecordDetailView.as_view(), name="record-detail"),
    path("records/<int:pk>/approve/", views.RecordApproveView.as_view(), name="record-approve"),
    path("records/<int:pk>/reject/", views.RecordRejectView.as_view(), name="record-reject"),
    path("records/<int:pk>/withdraw/", views.RecordWithdrawView.as_view(), name="record-withdraw"),
    path("records/<int:pk>/objection/", views.ObjectionLodgeView.as_view(), name="objection-lodge"),
    path("records/<int:pk>/repair/", views.RepairApplyView.as_view(), name="repair-apply"),
    path("objections/<int:pk>/decide/", views.ObjectionDecideView.as_view(), name="objection-decide"),
    path("repairs/<int:pk>/decide/", views.RepairDecideView.as_view(), name="repair-decide"),
    path("evidence/<int:pk>/", views.EvidenceDownloadView.as_view(), name="evidence-download"),
    path("good-standing/", views.GoodStandingListView.as_view(), name="good-standing"),
    path("joint-discipline/", views.JointDisciplineListView.as_view(), name="joint-discipline"),
]

# Each area of the app keeps its own routes.
urlpatterns += urls_codes.urlpatterns + urls_lending.urlpatterns + urls_scoring.urlpatterns
