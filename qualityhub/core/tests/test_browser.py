"""End-to-end tests in a real browser (Debian's Chromium driven by Playwright).

Run with ``-m browser``; they use the live server, so every test gets a fresh
database (``transactional_db``) with the demo data built into it. They also write the
README screenshots into docs/screenshots/. The fixtures (browser, page, console, demo)
come from ``qualityhub.core.testing.browser``, loaded for every app by pytest.ini.
"""

import os
import random
import signal
import subprocess
import sys
import time
from urllib.parse import urlparse

import pytest
from django.db import connection

from qualityhub.core.testing.browser import (
    MOBILE,
    PASSWORD,
    ROOT,
    SCREENSHOTS,
    _new_page,
    card_value,
    login,
    logout,
    nav_labels,
    url,
)

pytestmark = pytest.mark.browser

# --- 1. Every demo role -------------------------------------------------------------------------
# (login, card that must be > 0, card that must be absent, navigation)
ROLES = [
    ("13800000000", "全部企业", "辖区企业", ["工作台", "企业", "产品", "质量信用", "导入"]),
    ("province@demo.qualityhub.cn", "辖区企业", "全部企业", ["工作台", "企业", "产品", "质量信用", "导入", "通知"]),
    ("13800000002", "辖区企业", "全部企业", ["工作台", "企业", "产品", "质量信用", "导入", "通知"]),
    ("enterprise@demo.qualityhub.cn", "本企业产品", "辖区企业", ["工作台", "本企业", "产品", "质量信用", "导入", "通知"]),
    ("13800000011", "本企业产品", "辖区企业", ["工作台", "本企业", "产品", "质量信用", "导入", "通知"]),
    ("lab@demo.qualityhub.cn", "本机构产品", "辖区企业", ["工作台", "本企业", "产品", "质量信用", "通知"]),
    ("13800000021", "本机构产品", "辖区企业", ["工作台", "本企业", "产品", "质量信用", "通知"]),
    ("hospital@demo.qualityhub.cn", "本机构产品", "辖区企业", ["工作台", "本企业", "产品", "质量信用", "通知"]),
    ("13800000030", "本机构产品", "辖区企业", ["工作台", "本企业", "产品", "质量信用", "通知"]),
]


def test_each_demo_role_logs_in_sees_its_dashboard_and_logs_out(demo, live_server, page):
    page.goto(url(live_server, "accounts:login"))
    demo_rows = page.locator("#demo-accounts tbody tr")
    assert demo_rows.count() == 11
    listed = page.locator("#demo-accounts").inner_text()
    assert "13800000002" in listed and "shenzhen@demo.qualityhub.cn" in listed and PASSWORD in listed
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "login.png"), full_page=True)

    seen_navigation = set()
    for username, card, absent, navigation in ROLES:
        login(page, live_server, username)
        if card == "本机构产品":
            assert card_value(page, card) >= 0
        else:
            assert card_value(page, card) > 0, f"{username}: {card} should be > 0"
        assert page.locator("#dashboard-cards .subheader", has_text=absent).count() == 0
        assert nav_labels(page) == navigation, f"{username}: {nav_labels(page)}"
        seen_navigation.add(tuple(navigation))
        if username == "13800000002":
            assert "深圳市市场监督管理局" in page.locator(".page-title").inner_text()
            assert page.locator("[data-chart] canvas").count() == 1  # ECharts drew the chart
            page.wait_for_timeout(1500)  # let the bars finish their entry animation
            page.screenshot(path=str(SCREENSHOTS / "dashboard-regulator.png"))
        logout(page, live_server)
    assert len(seen_navigation) >= 4  # the navigation really differs per role


def test_wrong_password_shows_an_error(demo, live_server, page):
    page.goto(url(live_server, "accounts:login"))
    page.fill("#id_username", "13800000002")
    page.fill("#id_password", "wrong-password")
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#login-error")
    assert page.url.startswith(url(live_server, "accounts:login"))


def test_mobile_dashboard(demo, live_server, browser, console):
    context, page = _new_page(browser, console, viewport=MOBILE, is_mobile=True, has_touch=True, device_scale_factor=2)
    try:
        login(page, live_server, "shenzhen@demo.qualityhub.cn")
        assert card_value(page, "辖区企业") > 0
        # The menu is collapsed behind the toggler on a phone.
        assert not page.locator("#navbar-menu").is_visible()
        page.screenshot(path=str(SCREENSHOTS / "dashboard-mobile.png"))
        page.click(".navbar-toggler")
        page.wait_for_selector("#navbar-menu .nav-link >> text=企业", state="visible")
    finally:
        context.close()


# --- 2. Import with a bad row, then in the background with a real worker --------------------------
def _enterprise_rows(n, rng):
    from qualityhub.registry.demo import make_uscc

    districts = [("南山区", "440305"), ("福田区", "440304"), ("宝安区", "440306"), ("龙岗区", "440307")]
    rows = []
    for i in range(n):
        name, code = rng.choice(districts)
        rows.append({
            "统一社会信用代码": make_uscc(rng, code),
            "企业名称": f"深圳市浏览器测试{i:03d}电器有限公司",
            "所在区县": name,
            "行业代码": "38",
            "企业规模": "小型",
            "法定代表人": "张三",
            "成立日期": "2015-03-01",
            "地址": f"深圳市{name}科技路{i + 1}号",
        })
    return rows


def _write_xlsx(path, rows):
    from openpyxl import Workbook

    from qualityhub.core.imports import get_spec

    headers = get_spec("enterprises").headers
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h, "") for h in headers])
    wb.save(path)
    return path


@pytest.fixture
def worker(transactional_db, settings, tmp_path):
    """Tasks go through the database; ``start()`` runs ``manage.py worker`` against the
    test database. Stopped (and killed if need be) at teardown."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
    env = dict(os.environ)
    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite":
        env["SQLITE_PATH"] = name
    else:
        env["DATABASE_URL"] = urlparse(os.environ["DATABASE_URL"])._replace(path="/" + name).geturl()
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    log = tmp_path / "worker.log"
    processes = []

    def start():
        fh = open(log, "wb")
        proc = subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--interval", "0.2"],
            cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True,
        )
        processes.append((proc, fh))
        return proc

    start.log = log
    yield start
    for proc, fh in processes:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        fh.close()


def upload(page, live_server, path):
    page.goto(url(live_server, "core:import-create", "enterprises"))
    page.set_input_files("#import-file", str(path))
    with page.expect_navigation():
        page.click("#import-form button[type=submit]")
    page.wait_for_selector("#import-progress")


def test_import_bad_row_then_background_import_with_worker(demo, live_server, page, settings, worker, tmp_path):
    from qualityhub.registry.models import EnterpriseProfile

    settings.IMPORT_BACKGROUND_THRESHOLD = 5
    rng = random.Random(4242)
    rows = _enterprise_rows(3, rng)
    good_code = rows[1]["统一社会信用代码"]
    rows[1]["统一社会信用代码"] = good_code[:-1] + ("0" if good_code[-1] != "0" else "1")  # wrong check character
    login(page, live_server, "shenzhen@demo.qualityhub.cn")

    # A small file is checked within the request; one bad row fails the whole file.
    upload(page, live_server, _write_xlsx(tmp_path / "企业-有错误.xlsx", rows))
    progress = page.locator("#import-progress")
    assert progress.get_attribute("data-status") == "failed"
    assert "校验未通过" in page.locator("#import-status").inner_text()
    assert "未导入任何数据" in page.locator("#import-failed").inner_text()
    error_rows = page.locator("#import-errors tbody tr")
    assert error_rows.count() == 1
    cells = [c.strip() for c in error_rows.first.locator("td").all_inner_texts()]
    assert cells[0] == "3"  # the header is row 1, so the second data row is row 3
    assert cells[1] == "统一社会信用代码"
    assert "校验位" in cells[3], cells
    assert not EnterpriseProfile.objects.filter(organisation__name__startswith="深圳市浏览器测试").exists()

    # Fixed, and with more rows than the threshold: it goes to the worker.
    rows[1]["统一社会信用代码"] = good_code
    rows += _enterprise_rows(40, rng)
    upload(page, live_server, _write_xlsx(tmp_path / "企业-已修正.xlsx", rows))
    assert progress.get_attribute("data-status") == "queued"
    assert "后台处理" in progress.inner_text()
    proc = worker()
    statuses = set()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        status = progress.get_attribute("data-status")
        statuses.add(status)
        if status in ("done", "failed", "error"):
            break
        assert proc.poll() is None, worker.log.read_text(errors="replace")
        page.wait_for_timeout(200)
    assert progress.get_attribute("data-status") == "done", (statuses, worker.log.read_text(errors="replace"))
    done = page.locator("#import-done").inner_text()
    assert "导入完成" in done and "新增 43 条" in done, done
    assert page.locator("#import-progress .progress-bar").inner_text().strip() == "100%"
    assert page.locator("#import-progress .progress-bar").evaluate("el => el.style.width") == "100%"
    page.screenshot(path=str(SCREENSHOTS / "import-progress.png"))
    assert EnterpriseProfile.objects.filter(organisation__name__startswith="深圳市浏览器测试").count() == 43

    # The history lists both jobs; the enterprise list shows the new firms.
    page.goto(url(live_server, "core:import-list"))
    history = page.locator("#import-history tbody").inner_text()
    assert "企业-有错误.xlsx" in history and "企业-已修正.xlsx" in history
    page.goto(url(live_server, "registry:enterprise-list"))
    assert page.locator("text=深圳市浏览器测试").first.is_visible()
    page.screenshot(path=str(SCREENSHOTS / "enterprise-list.png"))


# --- 3. Language switch ----------------------------------------------------------------------------
def _english_for(msgid):
    """The English msgstr for msgid from the compiled catalogue (which must have it)."""
    import gettext

    with open(ROOT / "locale" / "en" / "LC_MESSAGES" / "django.mo", "rb") as fh:
        translated = gettext.GNUTranslations(fh).gettext(msgid)
    assert translated != msgid, f"{msgid!r} has no English translation"
    return translated


def test_switch_language_to_english_and_back(demo, live_server, page):
    login(page, live_server, "shenzhen@demo.qualityhub.cn")
    assert page.get_attribute("html", "lang") == "zh-hans"
    select = page.locator("#language-form select[name=language]")
    assert select.locator("option").all_inner_texts() == ["简体中文", "English"]

    with page.expect_navigation():
        select.select_option("en")
    assert page.get_attribute("html", "lang") == "en"
    assert page.url.rstrip("/") == live_server.url  # back on the same page
    assert select.locator("option:checked").inner_text() == "English"
    assert _english_for("工作台") in page.locator(".page-title").inner_text()
    assert page.locator("#logout").inner_text().strip() == _english_for("退出登录")
    assert "企业" not in " ".join(nav_labels(page))

    with page.expect_navigation():
        select.select_option("zh-hans")
    assert page.get_attribute("html", "lang") == "zh-hans"
    assert "工作台" in page.locator(".page-title").inner_text()
    assert select.locator("option:checked").inner_text() == "简体中文"
