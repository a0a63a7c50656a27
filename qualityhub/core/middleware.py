import uuid

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

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


class LanguageMiddleware:
    """Simplified Chinese unless the user chose another language (the language
    cookie set by the switcher). Browsers' Accept-Language is ignored on pages: an
    intranet browser's English default must not switch a Chinese office's UI. API
    clients may ask for a language with Accept-Language."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.available:
            language = settings.LANGUAGE_CODE
            if request.path.startswith("/api/"):
                language = translation.get_language_from_request(request) or language
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",) if not request.path.startswith("/api/") else ("Accept-Language", "Cookie"))
        return response
