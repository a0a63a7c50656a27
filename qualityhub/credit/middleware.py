"""The credit code page's short path through the middleware.

``/q/<code>`` is what consumers scan: public, GET only, no session, no login, no
form. Passed through the whole stack, the middleware this page does not need (CSRF,
authentication, messages, htmx, the actor and audit context, URL resolving) cost about
as much as the page itself (bench/credit_code_bench.py). Placed right after the
language middleware, this one answers the page itself.

The security headers the inner middleware add (Content-Security-Policy,
X-Frame-Options …) are not restated here: the first code page a process serves goes
through the whole stack, and the headers it gained there are replayed on every later
one, so they follow the settings.
"""

import re

from qualityhub.credit.views_codes import code_page

CODE_PATH = re.compile(r"^/q/([^/]{1,64})$")
# Headers the view sets itself or the outer middleware add again.
OWN_HEADERS = {"content-type", "content-length", "cache-control", "vary", "content-language", "set-cookie"}


class CodePageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.headers = None  # learned from the first code page served by the full stack

    def __call__(self, request):
        match = CODE_PATH.match(request.path_info) if request.method in ("GET", "HEAD") else None
        if match is None:
            return self.get_response(request)
        if self.headers is None:
            response = self.get_response(request)
            if response.status_code == 200:
                self.headers = [(k, v) for k, v in response.items() if k.lower() not in OWN_HEADERS]
            return response
        response = code_page(request, match.group(1))
        for name, value in self.headers:
            if name not in response:
                response[name] = value
        return response
