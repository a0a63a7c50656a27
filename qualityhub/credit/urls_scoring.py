from django.urls import path

from qualityhub.credit import views_scoring as views

urlpatterns = [
    path("dashboard/", views.CreditDashboardView.as_view(), name="dashboard"),
    path("scores/", views.ScoreListView.as_view(), name="score-list"),
    path("scores/<int:subject_id>/", views.ScoreDetailView.as_view(), name="score-detail"),
    path("scoring/models/", views.ScoringModelView.as_view(), name="scoring-models"),
    path("scoring/models/<int:version>/activate/", views.ScoringModelActivateView.as_view(), name="scoring-model-activate"),
    path("scoring/runs/start/", views.ScoringRunStartView.as_view(), name="scoring-run-start"),
    path("scoring/runs/<int:pk>/", views.ScoringRunDetailView.as_view(), name="scoring-run-detail"),
    path("scoring/quotas/", views.InspectionQuotaView.as_view(), name="inspection-quotas"),
]
