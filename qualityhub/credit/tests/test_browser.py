"""The credit archive in a real browser: a regulator records a failed sample, a second
regulator approves it, and the enterprise sees it and objects with evidence."""

import pytest

from qualityhub.core.testing.browser import SCREENSHOTS, login, logout, url

pytestmark = pytest.mark.browser

REFERENCE = "深市监抽〔2026〕9001号"


def test_failed_sample_four_eyes_then_the_enterprise_objects(demo, live_server, page, tmp_path):
    from qualityhub.credit.models import CreditRecord

    enterprise = demo  # DemoBuilder.build returns the demo enterprise
    login(page, live_server, "shenzhen@demo.qualityhub.cn")
    page.goto(url(live_server, "credit:record-create"))
    page.fill("#id_subject_uscc", enterprise.uscc)
    page.select_option("#id_kind", "sampling_fail_general")
    page.fill("#id_fact_date", "2026-11-02")
    page.fill("#id_source_department", "深圳市市场监督管理局")
    page.fill("#id_reference", REFERENCE)
    page.fill("#id_summary", "电热水壶监督抽查，耐潮湿项目不合格")
    page.fill("#id_internal_note", "抽样员：李四")
    evidence = tmp_path / "抽查报告.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
    page.set_input_files("#id_evidence", str(evidence))
    with page.expect_navigation():
        page.click("#record-form button[type=submit]")
    assert page.locator("#record-status").inner_text() == "待复核"
    # The regulator who typed it is not offered the approval.
    assert page.locator("#approve-record").count() == 0
    record = CreditRecord.objects.get(reference=REFERENCE)
    logout(page, live_server)

    login(page, live_server, "shenzhen2@demo.qualityhub.cn")
    page.goto(url(live_server, "credit:record-detail", record.pk))
    with page.expect_navigation():
        page.click("#approve-record")
    assert page.locator("#record-status").inner_text() == "有效"
    deadline = page.locator("#objection-deadline").inner_text()
    logout(page, live_server)

    login(page, live_server, "enterprise@demo.qualityhub.cn")
    page.goto(url(live_server, "core:notification-list"))
    assert page.locator("#notifications", has_text=deadline).count() == 1
    page.goto(url(live_server, "credit:record-list"))
    page.locator("#list-results a", has_text=enterprise.name).first.wait_for()
    page.goto(url(live_server, "credit:record-detail", record.pk))
    assert "抽样员" not in page.content()  # the internal note stays with the regulators
    page.fill("#objection-card textarea", "送检样品并非本公司生产批次，附出厂检验记录。")
    page.set_input_files("#objection-card input[type=file]", str(evidence))
    with page.expect_navigation():
        page.click("#lodge-objection")
    assert page.locator("#record-status").inner_text() == "异议处理中"
    assert page.locator("#objections", has_text="送检样品并非本公司生产批次").count() == 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "credit-record-objection.png"), full_page=True)
    record.refresh_from_db()
    assert record.status == "objected" and record.approved_by.email == "shenzhen2@demo.qualityhub.cn"


def test_a_consumer_opens_a_products_code_page_on_a_phone(demo, live_server, browser, console):
    from qualityhub.core.testing.browser import MOBILE, _new_page
    from qualityhub.credit.models import CreditCode, CreditRecord

    code = CreditCode.objects.filter(product__enterprise=demo, batch__isnull=True).select_related("product").first()
    # A private fact the page must never show.
    CreditRecord.objects.filter(subject=demo).update(internal_note="内部：抽样人员王五")
    context, page = _new_page(browser, console, viewport=MOBILE, is_mobile=True, has_touch=True, device_scale_factor=2)
    try:
        page.goto(f"{live_server.url}/q/{code.code}")
        assert page.locator("#product").inner_text().count(code.product.name) >= 1
        assert demo.name in page.locator("#maker").inner_text()
        assert page.locator("#good-standing").is_visible()  # sampled since 2015, never failed
        assert "监督抽查" in page.locator("#sampling").inner_text()
        text = page.content()
        for private in ("抽样人员王五", "风险分类", "A类", "B类", "C类", "D类"):
            assert private not in text
        # Nothing is wider than the phone: no sideways scrolling.
        assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
        page.screenshot(path=str(SCREENSHOTS / "credit-code-mobile.png"), full_page=True)
        page.click("#report-link")
        page.wait_for_url(f"**/q/{code.code}/report/")
        response = page.goto(f"{live_server.url}/q/NOTAREALCODE0000")
        assert response.status == 404 and page.locator(".qcode-warning, .alert").count() >= 1
        # The 404 is the answer we asked for, not a page error.
        console.messages = [m for m in console.messages if "404" not in m]
    finally:
        context.close()
