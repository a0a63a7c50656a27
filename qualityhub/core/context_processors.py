from django.conf import settings

from qualityhub.core.navigation import navigation_for
from qualityhub.core.scoping import actor_from_request


def shell(request):
    """What the layout needs: the actor, the navigation for its role, the user's
    organisations for the switcher."""
    if request.path.startswith("/api/") or request.path.startswith("/static/"):
        return {}
    actor = actor_from_request(request)
    organisations = []
    if actor.user is not None and getattr(actor.user, "is_authenticated", False):
        organisations = [m.organisation for m in actor.user.memberships.select_related("organisation").order_by("id")]
    return {
        "actor": actor,
        "navigation": navigation_for(actor, request.path),
        "my_organisations": organisations,
        "demo_mode": settings.DEMO_MODE,
    }
