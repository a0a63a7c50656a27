import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualityhub.settings")
application = get_wsgi_application()

# Warm credit code scans (/q/<code>) are answered before Django (credit/fastpath.py).
from qualityhub.credit.fastpath import wrap  # noqa: E402  (needs the apps loaded)

application = wrap(application)
