import uuid

from qualityhub.core.audit import acting_as
from qualityhub.core.scoping import actor_from_request


class ActorMiddleware:
    """Attribute audited changes made while serving a page to the acting user and
    organisation. (API requests authenticated by token are attributed by the API's
    base view once DRF has authenticated them.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request.headers.get("X-Request-ID", "")[:36] or str(uuid.uuid4())
        if request.path.startswith("/api/"):
            return self.get_response(request)
        actor = actor_from_request(request)
        request.actor = actor
        with acting_as(actor, via="web", request_id=request.request_id):
            return self.get_response(request)
