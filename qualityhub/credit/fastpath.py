"""The WSGI short path for warm credit code scans.

A scan of ``/q/<code>`` whose code entry and product page are in Redis needs nothing
of Django but the cache and a string replace; Django's request handling around it
(building the request, signals, the middleware) cost more than the page itself: with
it, gunicorn's sync workers served about a third of what they serve from a bare WSGI
app (bench/credit_code_bench.py). This wrapper answers such scans before Django:

- only GET/HEAD of ``/q/<code>``, only with Redis, and only once a code page served
  by Django has taught it the headers the middleware add (Content-Security-Policy,
  X-Frame-Options, HSTS …), which it then replays: they follow the settings;
- with ``SECURE_SSL_REDIRECT`` and a plain-HTTP request it steps aside (Django
  redirects);
- everything else — a miss, a revoked, suspended or unknown code, a flush being due —
  goes on to Django with the scan already counted (``SCAN_ENVIRON_KEY``), so no scan
  is counted twice.
"""

from django.conf import settings
from django.http.cookie import parse_cookie
from django.utils import translation

from qualityhub.credit import code_scans, codes
from qualityhub.credit.middleware import CODE_PATH
from qualityhub.credit.models.codes import CodeStatus
from qualityhub.credit.views_codes import SCAN_ENVIRON_KEY, page_html

# Headers this path sets itself (or that vary per response).
OWN_HEADERS = {"content-type", "content-length", "cache-control", "content-language", "set-cookie"}


class CodePageApp:
    def __init__(self, application):
        self.application = application
        self.headers = None
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, environ, start_response):
        match = CODE_PATH.match(environ.get("PATH_INFO", ""))
        if match is None or environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or not code_scans._is_redis():
            return self.application(environ, start_response)
        if self.headers is None:
            return self.application(environ, self._learning(start_response))
        if settings.SECURE_SSL_REDIRECT and not self._secure(environ):
            return self.application(environ, start_response)
        code = codes.code_normalise(match.group(1))
        if code is None:
            return self.application(environ, start_response)
        language = self._language(environ)
        translation.activate(language)
        scan = code_scans.scan(code, code_scans.environ_client_id(environ), language)
        entry = scan.entry
        if entry is None or entry["status"] != CodeStatus.ACTIVE or not scan.page or code_scans.flush_due():
            environ[SCAN_ENVIRON_KEY] = scan
            return self.application(environ, start_response)
        body = page_html(code, entry, scan, scan.page).encode("utf-8")
        headers = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-cache"),
            ("Content-Language", language),
            *self.headers,
        ]
        start_response("200 OK", headers)
        return [b"" if environ["REQUEST_METHOD"] == "HEAD" else body]

    def _learning(self, start_response):
        def start(status, headers, exc_info=None):
            if status.startswith("200"):
                self.headers = [(k, v) for k, v in headers if k.lower() not in OWN_HEADERS]
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        return start

    def _language(self, environ):
        # As core.middleware.LanguageMiddleware: the language cookie, else the default.
        cookie = environ.get("HTTP_COOKIE")
        language = parse_cookie(cookie).get(settings.LANGUAGE_COOKIE_NAME) if cookie else None
        return language if language in self.languages else settings.LANGUAGE_CODE

    @staticmethod
    def _secure(environ):
        header = settings.SECURE_PROXY_SSL_HEADER
        if header:
            return environ.get(header[0], "").split(",")[0].strip() == header[1]
        return environ.get("wsgi.url_scheme") == "https"


def wrap(application):
    return CodePageApp(application)
