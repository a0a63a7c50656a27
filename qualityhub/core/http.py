"""What every app needs to know about the client of a request."""

from django.conf import settings


def client_address(meta):
    """The client's IP address from a request's META (or a WSGI environ). Behind a
    reverse proxy, settings.CLIENT_IP_HEADER names the META key holding it (e.g.
    HTTP_X_REAL_IP); otherwise every request would come from the proxy."""
    header = settings.CLIENT_IP_HEADER
    return (meta.get(header) if header else None) or meta.get("REMOTE_ADDR", "")
