"""Browser test fixtures and helpers shared by every app's browser tests (Debian's
Chromium driven by Playwright): one browser per test session, a page per test whose
console is checked for errors and CSP violations, the demo data on the live server.
Loaded as a pytest plugin by ``qualityhub/conftest.py``."""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

# Playwright's sync API runs an event loop in this thread; Django would otherwise
# refuse synchronous database access from the test body.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright import sync_api as playwright_sync  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]  # the repository (loaded before Django's settings)
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 390, "height": 844}
PASSWORD = "Demo@2026"


# --- Browser fixtures ---------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser():
    # A separate QUALITYHUB_VAR_DIR (test database, uploads) may not exist yet.
    Path(django_settings.VAR_DIR).mkdir(parents=True, exist_ok=True)
    # Never skipped: `make test` installs Chromium or stops and says how to.
    assert os.path.exists(CHROMIUM), "Chromium is missing: run `sudo apt-get install -y chromium fonts-noto-cjk`"
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Console:
    """Console messages and page errors of one page; CSP violations fail the test."""

    def __init__(self):
        self.messages = []
        self.failed = []  # responses >= 400

    def attach(self, page):
        page.on("console", lambda msg: self.messages.append(f"{msg.type}: {msg.text}"))
        page.on("pageerror", lambda exc: self.messages.append(f"pageerror: {exc}"))
        page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.status} {r.request.method} {r.url}"))

    def csp_violations(self):
        return [m for m in self.messages if "Content Security Policy" in m or "Content-Security-Policy" in m]

    def errors(self):
        return [m for m in self.messages if m.startswith(("error:", "pageerror:"))]


def _new_page(browser, console, viewport=DESKTOP, **kwargs):
    context = browser.new_context(viewport=viewport, locale="zh-CN", **kwargs)
    context.set_default_timeout(15_000)
    page = context.new_page()
    console.attach(page)
    return context, page


@pytest.fixture
def console():
    console = Console()
    yield console
    assert console.csp_violations() == [], console.csp_violations()
    assert console.errors() == [], (console.errors(), console.failed)


@pytest.fixture
def page(browser, console):
    context, page = _new_page(browser, console)
    yield page
    context.close()


# --- Data -----------------------------------------------------------------------------------
# Data migrations whose rows the browser tests need back after each flush:
# (migration module, loader function).
REFERENCE_DATA = [
    ("qualityhub.registry.migrations.0002_reference_data", "load"),
    ("qualityhub.credit.migrations.0006_scoring_defaults", "create_defaults"),
]


def _ensure_reference_data():
    """transactional_db flushes tables between tests, which also removes what data
    migrations loaded (regions, industries, the default scoring model); load them
    again when they are missing. Each loader skips rows that already exist."""
    import importlib

    from django.apps import apps

    from qualityhub.registry.models import Region

    for module, function in REFERENCE_DATA:
        if module.endswith("0002_reference_data") and Region.objects.exists():
            continue
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture
def demo(transactional_db, settings):
    from qualityhub.registry.demo import DemoBuilder

    settings.DEMO_MODE = True
    _ensure_reference_data()
    return DemoBuilder(enterprises=60, products=100).build()


def url(live_server, name, *args):
    return live_server.url + reverse(name, args=args)


def login(page, live_server, username, password=PASSWORD):
    page.goto(url(live_server, "accounts:login"))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("#login-form button[type=submit]")
    assert page.url.rstrip("/") == live_server.url, page.url  # the dashboard


def card_value(page, title):
    card = page.locator("#dashboard-cards .card-body").filter(has=page.locator(".subheader", has_text=title))
    assert card.count() == 1, f"no dashboard card {title!r}"
    return int(re.sub(r"[^\d]", "", card.locator(".h1").inner_text()))


def nav_labels(page):
    return [t.strip() for t in page.locator("#navbar-menu .nav-link").all_inner_texts()]


def logout(page, live_server):
    page.click("#user-menu")
    with page.expect_navigation():
        page.click("#logout")
    assert page.url.startswith(url(live_server, "accounts:login"))
    page.goto(url(live_server, "core:dashboard"))
    assert page.url.startswith(url(live_server, "accounts:login")), "still logged in after logout"


