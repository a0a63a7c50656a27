from rest_framework.routers import DefaultRouter

from qualityhub.registry import api

router = DefaultRouter(trailing_slash=True)
router.register("enterprises", api.EnterpriseViewSet, basename="enterprise")
router.register("products", api.ProductViewSet, basename="product")
router.register("regions", api.RegionViewSet, basename="region")
router.register("industries", api.IndustryViewSet, basename="industry")

urlpatterns = router.urls
