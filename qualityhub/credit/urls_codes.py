"""Management pages of the product quality credit codes (under /credit/)."""

from django.urls import path

from qualityhub.credit import views_codes

urlpatterns = [
    path("codes/", views_codes.CodeListView.as_view(), name="code-list"),
    path("codes/<int:pk>/", views_codes.CodeDetailView.as_view(), name="code-detail"),
    path("codes/<int:pk>/qr.<str:fmt>", views_codes.CodeQrView.as_view(), name="code-qr"),
    path("codes/products/<int:pk>/", views_codes.ProductCodesView.as_view(), name="code-product"),
    path("codes/batches/<int:pk>/labels/", views_codes.BatchLabelsView.as_view(), name="code-batch-labels"),
    path("codes/batches/<int:pk>/status/", views_codes.BatchStatusView.as_view(), name="code-batch-status"),
]
