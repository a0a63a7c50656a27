from rest_framework.routers import DefaultRouter

from qualityhub.credit import api

router = DefaultRouter(trailing_slash=True)
router.register("credit-records", api.CreditRecordViewSet, basename="credit-record")

urlpatterns = router.urls
