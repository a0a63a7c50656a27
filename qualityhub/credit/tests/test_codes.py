"""Product quality credit codes: issue, batches, suspend and revoke, the public page
(nothing private on it, warnings for forged and revoked codes), its cache, scan
counting without database writes and the flush, copy detection, and access."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qualityhub.credit import code_scans, codes, views_codes
from qualityhub.credit.choices import RecordKind, RecordStatus
from qualityhub.credit.models import (
    CodeBatch,
    CodeReport,
    CodeStatus,
    CreditCode,
    CreditRecord,
    EnterpriseScore,
    GoodStanding,
)
from qualityhub.credit.signals import record_changed
from qualityhub.registry.models import Certification, HonourTag

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def page(client, code, **extra):
    return client.get(f"/q/{code}", **extra)


def _record(subject, kind, *, reference, product=None, status=RecordStatus.ACTIVE, **extra):
    return CreditRecord.objects.create(
        subject=subject, product=product, kind=kind, fact_date=datetime.date(2025, 3, 1),
        source_department="深圳市市场监督管理局", reference=reference, summary="抽查结果", status=status, **extra,
    )


# --- issue, batches, suspend, revoke ----------------------------------------------------


def test_an_enterprise_issues_a_code_for_its_own_product(actors, django_capture_on_commit_callbacks):
    code = codes.code_issue(actor=actors.owner.actor, product=actors.product_a)
    assert re.fullmatch(r"[A-Z2-7]{16}", code.code)
    assert code.enterprise == actors.enterprise_a and code.status == CodeStatus.ACTIVE
    assert code.issued_by == actors.owner.user


def test_codes_are_unguessable_and_unique():
    drawn = {codes.code_generate() for _ in range(20000)}
    assert len(drawn) == 20000
    # 16 base32 characters carry 80 random bits.
    assert all(len(c) == 16 for c in drawn)
    assert len(set("".join(drawn))) == 32  # every base32 symbol occurs: no fixed prefix or structure


def test_a_batch_is_issued_with_a_fixed_number_of_queries(actors):
    with CaptureQueriesContext(connection) as small:
        codes.code_batch_issue(actor=actors.owner.actor, product=actors.product_a, quantity=5)
    with CaptureQueriesContext(connection) as big:
        batch = codes.code_batch_issue(actor=actors.owner.actor, product=actors.product_a, quantity=900, note="第二批")
    # Set-based: a few multi-row INSERTs (SQLite caps the parameters of one statement),
    # never one per code.
    inserts = [q for q in big.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) <= 20 and len(big.captured_queries) - len(small.captured_queries) <= 15
    assert batch.codes.count() == 900 and batch.note == "第二批"
    assert CreditCode.objects.filter(product=actors.product_a).values("code").distinct().count() == 905


@pytest.mark.parametrize("quantity", [0, -1, codes.BATCH_MAX + 1])
def test_a_batch_size_out_of_range_is_refused(actors, quantity):
    with pytest.raises(ValidationError) as exc:
        codes.code_batch_issue(actor=actors.owner.actor, product=actors.product_a, quantity=quantity)
    assert "数量" in str(exc.value)
    assert not CodeBatch.objects.exists()


def test_no_code_for_a_private_product_or_anothers_product(actors):
    with pytest.raises(ValidationError, match="未公开"):
        codes.code_issue(actor=actors.owner.actor, product=actors.product_a_private)
    with pytest.raises(ValidationError, match="无权"):
        codes.code_issue(actor=actors.outsider.actor, product=actors.product_a)
    with pytest.raises(ValidationError, match="无权"):
        codes.code_issue(actor=actors.regulator_other_city.actor, product=actors.product_a)
    assert not CreditCode.objects.exists()


def test_a_regulator_issues_and_revokes_in_its_jurisdiction(actors):
    code = codes.code_issue(actor=actors.regulator_same_city.actor, product=actors.product_a)
    codes.code_revoke(actor=actors.regulator_district.actor, code=code, reason="标签被仿冒")
    code.refresh_from_db()
    assert code.status == CodeStatus.REVOKED and code.status_reason == "标签被仿冒"
    assert code.status_changed_org == actors.nanshan and code.status_changed_at is not None


def test_suspend_reinstate_and_revoke_rules(actors):
    code = codes.code_issue(actor=actors.owner.actor, product=actors.product_a)
    with pytest.raises(ValidationError, match="原因"):
        codes.code_suspend(actor=actors.owner.actor, code=code, reason="  ")
    codes.code_suspend(actor=actors.regulator_same_city.actor, code=code, reason="产品暂停销售")
    code.refresh_from_db()
    # A code a regulator suspended only a regulator reinstates.
    with pytest.raises(ValidationError, match="监管部门"):
        codes.code_reinstate(actor=actors.owner.actor, code=code, reason="已整改")
    codes.code_reinstate(actor=actors.regulator_same_city.actor, code=code, reason="已整改")
    code.refresh_from_db()
    assert code.status == CodeStatus.ACTIVE
    codes.code_revoke(actor=actors.owner.actor, code=code, reason="停产")
    code.refresh_from_db()
    with pytest.raises(ValidationError, match="已注销"):
        codes.code_suspend(actor=actors.owner.actor, code=code, reason="再暂停")
    with pytest.raises(ValidationError, match="已暂停"):
        codes.code_reinstate(actor=actors.owner.actor, code=code, reason="恢复")


def test_outsiders_cannot_suspend_a_code(actors):
    code = codes.code_issue(actor=actors.owner.actor, product=actors.product_a)
    from django.http import Http404

    for person in (actors.outsider, actors.regulator_other_city, actors.provider, actors.bank):
        with pytest.raises(Http404):
            codes.code_suspend(actor=person.actor, code=code, reason="恶意")
    code.refresh_from_db()
    assert code.status == CodeStatus.ACTIVE


def test_a_whole_batch_is_revoked_in_one_update(actors, django_capture_on_commit_callbacks):
    batch = codes.code_batch_issue(actor=actors.owner.actor, product=actors.product_a, quantity=30)
    with CaptureQueriesContext(connection) as ctx:
        n = codes.code_batch_set_status(actor=actors.owner.actor, batch=batch, status=CodeStatus.REVOKED, reason="批次作废")
    assert n == 30
    assert len([q for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]) == 1
    assert set(batch.codes.values_list("status", flat=True)) == {CodeStatus.REVOKED}
    assert set(batch.codes.values_list("status_reason", "status_changed_org")) == {("批次作废", actors.enterprise_a.pk)}
    # Revoked is final: a second pass changes nothing.
    assert codes.code_batch_set_status(actor=actors.owner.actor, batch=batch, status=CodeStatus.SUSPENDED, reason="再暂停") == 0


def test_a_batch_status_change_checks_the_reason_and_the_scope(actors):
    from django.http import Http404

    batch = codes.code_batch_issue(actor=actors.owner.actor, product=actors.product_a, quantity=3)
    with pytest.raises(ValidationError, match="200"):
        codes.code_batch_set_status(actor=actors.owner.actor, batch=batch, status=CodeStatus.SUSPENDED, reason="长" * 201)
    with pytest.raises(ValidationError, match="暂停或注销"):
        codes.code_batch_set_status(actor=actors.owner.actor, batch=batch, status=CodeStatus.ACTIVE, reason="恢复")
    for person in (actors.outsider, actors.regulator_other_city):
        with pytest.raises(Http404):
            codes.code_batch_set_status(actor=person.actor, batch=batch, status=CodeStatus.REVOKED, reason="恶意")
    assert set(batch.codes.values_list("status", flat=True)) == {CodeStatus.ACTIVE}


# --- the public page ------------------------------------------------------------------------


@pytest.fixture
def rich_product(actors):
    """Product A with everything the page shows and everything it must not show."""
    product = actors.product_a
    Certification.objects.create(product=product, kind="ccc", number="2025010701000001", issuer="中国质量认证中心",
                                 valid_from=datetime.date(2024, 1, 1), valid_until=datetime.date(2099, 1, 1))
    Certification.objects.create(product=product, kind="cqc", number="EXPIRED-0001", issuer="某认证机构",
                                 valid_from=datetime.date(2019, 1, 1), valid_until=datetime.date(2020, 1, 1))
    profile = actors.enterprise_a.profile
    profile.legal_representative = "张秘密"
    profile.address = "深圳市南山区保密路1号"
    profile.save()
    profile.honours.set([HonourTag.objects.order_by("sort").first()])
    _record(actors.enterprise_a, RecordKind.SAMPLING_PASS, reference="深市监抽〔2025〕1号", product=product,
            internal_note="内部备注：抽样人员李四")
    _record(actors.enterprise_a, RecordKind.PENALTY, reference="深市监罚〔2025〕9号", penalty_amount=50000,
            internal_note="处罚内部备注：不得公开")
    _record(actors.enterprise_a, RecordKind.SAMPLING_FAIL_GENERAL, reference="深市监抽〔2025〕2号",
            status=RecordStatus.REPAIRED)
    _record(actors.enterprise_a, RecordKind.SAMPLING_FAIL_SERIOUS, reference="深市监抽〔2025〕3号",
            status=RecordStatus.PENDING)
    _record(actors.enterprise_a, RecordKind.SAMPLING_PASS, reference="深市监抽〔2025〕4号",
            product=actors.product_a_private)
    EnterpriseScore.objects.create(subject=actors.enterprise_a, score=87.5, risk_class="D", model_version=1,
                                   computed_at=timezone.now())
    GoodStanding.objects.create(subject=actors.enterprise_a, tier=5, clean_since=datetime.date(2019, 1, 1),
                                city=actors.enterprise_a.city, computed_at=timezone.now())
    return product


def test_the_public_page_shows_the_public_facts(actors, rich_product):
    code = codes.code_issue(actor=actors.owner.actor, product=rich_product)
    response = page(actors.anonymous.client(), code.code)
    assert response.status_code == 200
    html = response.content.decode()
    for text in (rich_product.name, rich_product.brand, rich_product.model, actors.enterprise_a.name,
                 actors.enterprise_a.uscc, "深圳", "GB 4706.1-2005", "强制性国家标准", "2025010701000001",
                 "深市监抽〔2025〕1号", "监督抽查合格", HonourTag.objects.order_by("sort").first().name,
                 "连续 5 年", "您是第一位扫描此码的人", reverse("qcode:report", args=[code.code])):
        assert text in html, text
    assert "EXPIRED-0001" not in html  # expired certificates are not "valid certifications"


def test_the_public_page_leaks_nothing_private(actors, rich_product):
    code = codes.code_issue(actor=actors.owner.actor, product=rich_product)
    html = page(actors.anonymous.client(), code.code).content.decode()
    for secret in ("内部备注", "李四", "处罚内部备注", "深市监罚〔2025〕9号", "50000", "行政处罚", "风险", "D类",
                   "张秘密", "保密路", "A-PRIVATE",
                   "深市监抽〔2025〕2号", "深市监抽〔2025〕3号", actors.owner.user.name, actors.owner.user.email,
                   "87.5"):
        assert secret not in html, secret
    # The record about the private product shows, but never names the private product.
    assert "深市监抽〔2025〕4号" in html


def test_a_forged_code_gets_a_404_warning(actors):
    codes.code_issue(actor=actors.owner.actor, product=actors.product_a)
    client = actors.anonymous.client()
    for forged in (codes.code_generate(), "NOT-A-CODE", "AAAAAAAAAAAAAAAA", "a" * 300):
        response = page(client, forged)
        assert response.status_code == 404
        assert "未找到此信用码" in response.content.decode()
        assert actors.product_a.name not in response.content.decode()


def test_a_lower_case_code_is_the_same_code(actors):
    code = codes.code_issue(actor=actors.owner.actor, product=actors.product_a)
    assert page(actors.anonymous.client(), code.code.lower()).status_code == 200


def test_revoked_and_suspended_codes_show_a_warning(actors, django_capture_on_commit_callbacks):
    code = codes.code_issue(actor=actors.owner.actor, product=actors.product_a)
    client = actors.anonymous.client()
    assert page(client, code.code).status_code == 200  # cached as active
    with django_capture_on_commit_callbacks(execute=True):
        codes.code_suspend(actor=actors.owner.actor, code=code, reason="标签印刷错误")
    response = page(client, code.code)
    assert response.status_code == 200
    html = response.content.decode()
    assert "此信用码已暂停使用" in html and "标签印刷错误" in html and actors.product_a.model not in html
    with django_capture_on_commit_callbacks(execute=True):
        codes.code_revoke(actor=actors.regulator_same_city.actor, code=code, reason="标签被仿冒")
    response = page(client, code.code)
    assert response.status_code == 410
    assert "此信用码已注销" in response.content.decode() and "标签被仿冒" in response.content.decode()
    assert actors.regulator_same_city.user.name not in response.content.decode()


def test_a_product_made_private_hides_its_page(actors, django_capture_on_commit_callbacks):
    code = codes.code_issue(actor=actors.owner.actor, product=actors.product_a)
    client = actors.anonymous.client()
    assert actors.product_a.model in page(client, code.code).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        actors.product_a.is_public = False
        actors.product_a.save()
    html = page(client, code.code).content.decode()
    assert actors.product_a.model not in html and "暂不公开" in html


# --- cache and invalidation --------------------------------------------------------------------


def test_a_warm_scan_runs_no_database_query_and_writes_nothing(actors, rich_product):
    code = codes.code_issue(actor=actors.owner.actor, product=rich_product)
    client = actors.anonymous.client()
    page(client, code.code)  # warm the cache
    with CaptureQueriesContext(connection) as ctx:
        for _ in range(5):
            assert page(client, code.code).status_code == 200
    assert ctx.captured_queries == []


def test_a_cold_scan_reads_but_never_writes(actors, rich_product):
    code = codes.code_issue(actor=actors.owner.actor, product=rich_product)
    with CaptureQueriesContext(connection) as ctx:
        assert page(actors.anonymous.client(), code.code).status_code == 200
    writes = [q["sql"] for q in ctx.captured_queries if re.match(r"\s*(INSERT|UPDATE|DELETE)", q["sql"], re.I)]
    assert writes == []
    assert len(ctx.captured_queries) <= 8


def test_the_page_changes_when_a_certification_changes(actors, django_capture_on_commit_callbacks):
    code = codes.code_issue(actor=actors.owner.actor, product=actors.product_a)
    client = actors.anonymous.client()
    assert "NEWCERT-1" not in page(client, code.code).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        cert = Certification.objects.create(product=actors.product_a, kind="ccc", number="NEWCERT-1", issuer="CQC")
    assert "NEWCERT-1" in page(client, code.code).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        cert.delete()
    assert "NEWCERT-1" not in page(client, code.code).content.decode()


def test_the_page_changes_when_a_record_changes(actors, django_capture_on_commit_callbacks):
    code = codes.code_issue(actor=actors.owner.actor, product=actors.product_a)
    client = actors.anonymous.client()
    record = _record(actors.enterprise_a, RecordKind.SAMPLING_FAIL_GENERAL, reference="深市监抽〔2025〕77号",
                     status=RecordStatus.PENDING)
    assert "深市监抽〔2025〕77号" not in page(client, code.code).content.decode()
    # The records service changes status with update() and then sends record_changed.
    CreditRecord.objects.filter(pk=record.pk).update(status=RecordStatus.ACTIVE)
    assert "深市监抽〔2025〕77号" not in page(client, code.code).content.decode()  # still cached
    record_changed.send(sender=CreditRecord, subject_ids=[actors.enterprise_a.pk])
    assert "深市监抽〔2025〕77号" in page(client, code.code).content.decode()
    CreditRecord.objects.filter(pk=record.pk).update(status=RecordStatus.REPAIRED)
    record_changed.send(sender=CreditRecord, subject_ids=None)  # "many changed"
    assert "深市监抽〔2025〕77号" not in page(client, code.code).content.decode()


def test_the_page_changes_when_honours_change(actors, django_capture_on_commit_callbacks):
    code = codes.code_issue(actor=actors.owner.actor, product=actors.product_a)
    client = actors.anonymous.client()
    tag = HonourTag.objects.order_by("-sort").first()
    assert tag.name not in page(client, code.code).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        actors.enterprise_a.profile.honours.add(tag)
    assert tag.name in page(client, code.code).content.decode()


# --- scan counting, flush, copy detection ---------------------------------------------------------


def test_scans_are_counted_in_the_cache_and_flushed(actors, django_capture_on_commit_callbacks):
    code = codes.code_issue(actor=actors.owner.actor, product=actors.product_a)
    other = codes.code_issue(actor=actors.owner.actor, product=actors.product_a)
    client = actors.anonymous.client()
    page(client, code.code)
    with CaptureQueriesContext(connection) as ctx:
        for _ in range(3):
            page(client, code.code)
    assert not [q for q in ctx.captured_queries if re.match(r"\s*(INSERT|UPDATE)", q["sql"], re.I)]
    html = page(client, code.code).content.decode()
    assert "已被扫描 5 次" in html
    code.refresh_from_db()
    assert code.scan_count == 0 and code.first_scanned_at is None  # nothing written yet
    page(client, other.code)

    with CaptureQueriesContext(connection) as ctx:
        flushed = code_scans.flush()
    assert flushed == (2, 6)
    assert len([q for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]) == 1
    code.refresh_from_db()
    other.refresh_from_db()
    assert (code.scan_count, other.scan_count) == (5, 1)
    first = code.first_scanned_at
    assert first is not None and abs((timezone.now() - first).total_seconds()) < 60
    # The page shows the flushed count plus new scans; the first-scan time is kept.
    assert "已被扫描 6 次" in page(client, code.code).content.decode()
    assert code_scans.flush() == (1, 1)
    code.refresh_from_db()
    assert code.scan_count == 6 and code.first_scanned_at == first
    assert code_scans.flush() == (0, 0)


def test_the_flush_command(actors):
    from django.core.management import call_command
    from io import StringIO

    code = codes.code_issue(actor=actors.owner.actor, product=actors.product_a)
    page(actors.anonymous.client(), code.code)
    out = StringIO()
    call_command("flush_scans", stdout=out)
    assert "flushed 1 scans of 1 codes" in out.getvalue()
    code.refresh_from_db()
    assert code.scan_count == 1


def test_a_code_scanned_by_too_many_clients_is_flagged_as_copied(actors, settings):
    from qualityhub.core.models import Notification

    settings.CREDIT_CODE_COPY_CLIENTS = 5
    code = codes.code_issue(actor=actors.owner.actor, product=actors.product_a)
    genuine = codes.code_issue(actor=actors.owner.actor, product=actors.product_a)
    client = actors.anonymous.client()
    for _ in range(20):  # one shopper scanning again and again is no copy
        html = page(client, genuine.code, REMOTE_ADDR="10.0.0.1").content.decode()
    assert "此码疑似被复制" not in html
    for i in range(5):
        html = page(client, code.code, REMOTE_ADDR=f"10.0.1.{i}").content.decode()
    assert "此码疑似被复制" not in html
    html = page(client, code.code, REMOTE_ADDR="10.0.1.99").content.decode()
    assert "此码疑似被复制" in html
    code_scans.flush()
    code.refresh_from_db()
    genuine.refresh_from_db()
    assert code.copy_flagged_at is not None and genuine.copy_flagged_at is None
    assert Notification.objects.filter(organisation=actors.enterprise_a, title__contains="疑似被复制").count() == 1
    # Still flagged once the window has passed (the flag is on the code now).
    cache.clear()
    assert "此码疑似被复制" in page(client, code.code, REMOTE_ADDR="10.0.2.1").content.decode()


# --- management pages and access ------------------------------------------------------------


def test_the_owner_issues_from_the_product_page(actors):
    client = actors.owner.client()
    url = reverse("credit:code-product", args=[actors.product_a.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"quantity": "1"})
    code = CreditCode.objects.get(product=actors.product_a)
    assert response.status_code == 302 and response["Location"] == reverse("credit:code-detail", args=[code.pk])
    response = client.post(url, {"quantity": "12", "note": "一月批"})
    assert response.status_code == 302
    assert CodeBatch.objects.get(product=actors.product_a).codes.count() == 12


@pytest.mark.parametrize(
    "data, message",
    [({"quantity": ""}, "请填写赋码数量"), ({"quantity": "abc"}, "赋码数量须为整数"), ({"quantity": "0"}, "至少为 1"),
     ({"quantity": "999999"}, "一次不能超过")],
)
def test_the_issue_form_explains_bad_input_in_chinese(actors, data, message):
    response = actors.owner.client().post(reverse("credit:code-product", args=[actors.product_a.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CreditCode.objects.exists()


def test_the_status_form_explains_bad_input_in_chinese(actors):
    code = codes.code_issue(actor=actors.owner.actor, product=actors.product_a)
    client = actors.owner.client()
    url = reverse("credit:code-detail", args=[code.pk])
    response = client.post(url, {"action": "revoke", "reason": ""})
    assert response.status_code == 400 and "请填写原因" in response.content.decode()
    response = client.post(url, {"action": "explode", "reason": "x"})
    assert response.status_code == 400 and "操作不正确" in response.content.decode()
    response = client.post(url, {"action": "revoke", "reason": "停产"})
    assert response.status_code == 302
    code.refresh_from_db()
    assert code.status == CodeStatus.REVOKED


def test_qr_downloads(actors):
    code = codes.code_issue(actor=actors.owner.actor, product=actors.product_a)
    client = actors.owner.client()
    svg = client.get(reverse("credit:code-qr", args=[code.pk, "svg"]))
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert svg.content.startswith(b"<svg")
    png = client.get(reverse("credit:code-qr", args=[code.pk, "png"]))
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert client.get(reverse("credit:code-qr", args=[code.pk, "gif"])).status_code == 404


def test_the_label_sheet_prints_every_code_of_the_batch(actors):
    batch = codes.code_batch_issue(actor=actors.owner.actor, product=actors.product_a, quantity=24)
    response = actors.owner.client().get(reverse("credit:code-batch-labels", args=[batch.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="qcode-label"') == 24
    for code in batch.codes.values_list("code", flat=True):
        assert code in html
    assert "<style" not in html and "style=" not in html  # CSP: no inline styles


OUTSIDERS = ["outsider", "far_enterprise", "regulator_other_city", "provider", "bank"]
INSIDERS = ["owner", "colleague", "regulator_same_city", "regulator_district", "regulator_province", "platform_admin"]


@pytest.mark.parametrize("who", OUTSIDERS + INSIDERS)
def test_only_the_maker_and_its_regulators_manage_its_codes(actors, who):
    code = codes.code_issue(actor=actors.owner.actor, product=actors.product_a)
    batch = codes.code_batch_issue(actor=actors.owner.actor, product=actors.product_a, quantity=2)
    client = getattr(actors, who).client()
    urls = [
        reverse("credit:code-detail", args=[code.pk]),
        reverse("credit:code-qr", args=[code.pk, "svg"]),
        reverse("credit:code-qr", args=[code.pk, "png"]),
        reverse("credit:code-product", args=[actors.product_a.pk]),
        reverse("credit:code-batch-labels", args=[batch.pk]),
    ]
    expected = 404 if who in OUTSIDERS else 200
    for url in urls:
        assert client.get(url).status_code == expected, url
    response = client.post(reverse("credit:code-detail", args=[code.pk]), {"action": "suspend", "reason": "x"})
    assert response.status_code == (404 if who in OUTSIDERS else 302)
    listed = client.get(reverse("credit:code-list"))
    assert (code.code in listed.content.decode()) == (who not in OUTSIDERS)


def test_anonymous_users_are_sent_to_log_in(actors):
    code = codes.code_issue(actor=actors.owner.actor, product=actors.product_a)
    client = actors.anonymous.client()
    for url in (reverse("credit:code-list"), reverse("credit:code-detail", args=[code.pk]),
                reverse("credit:code-qr", args=[code.pk, "png"])):
        assert client.get(url).status_code == 302


def test_the_code_list_runs_a_fixed_number_of_queries(actors):
    client = actors.owner.client()
    url = reverse("credit:code-list")
    codes.code_batch_issue(actor=actors.owner.actor, product=actors.product_a, quantity=5)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    codes.code_batch_issue(actor=actors.owner.actor, product=actors.product_a, quantity=25)
    for _ in range(3):
        codes.code_issue(actor=actors.owner.actor, product=actors.product_a)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count("/credit/codes/") >= 25
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_consumer_reports_a_problem(actors):
    code = codes.code_issue(actor=actors.owner.actor, product=actors.product_a)
    client = actors.anonymous.client()
    url = reverse("qcode:report", args=[code.code])
    assert client.get(url).status_code == 200
    response = client.post(url, {"category": "quality", "description": ""})
    assert response.status_code == 400 and "请填写问题描述" in response.content.decode()
    response = client.post(url, {"category": "counterfeit", "description": "包装与正品不同", "contact": "13800000000"})
    assert response.status_code == 200 and "已收到您的反映" in response.content.decode()
    report = CodeReport.objects.get()
    assert report.enterprise == actors.enterprise_a
    # The maker sees it; another enterprise does not; the contact never reaches the public page.
    assert "包装与正品不同" in actors.owner.client().get(reverse("credit:code-product", args=[actors.product_a.pk])).content.decode()
    assert "13800000000" not in page(client, code.code).content.decode()
    assert client.get(reverse("qcode:report", args=[codes.code_generate()])).status_code == 404
    assert list(codes.report_list(actor=actors.regulator_same_city.actor)) == [report]
    for person in (actors.outsider, actors.regulator_other_city):
        assert not codes.report_list(actor=person.actor).exists()


def test_reports_are_refused_for_revoked_codes_and_when_too_frequent(actors):
    code = codes.code_issue(actor=actors.owner.actor, product=actors.product_a)
    client = actors.anonymous.client()
    url = reverse("qcode:report", args=[code.code])
    data = {"category": "quality", "description": "有异味"}
    for _ in range(views_codes.REPORTS_PER_CLIENT_HOUR):
        assert client.post(url, data).status_code == 200
    response = client.post(url, data)
    assert response.status_code == 400 and "提交过于频繁" in response.content.decode()
    assert CodeReport.objects.count() == views_codes.REPORTS_PER_CLIENT_HOUR
    codes.code_revoke(actor=actors.owner.actor, code=code, reason="停产")
    assert client.get(url).status_code == 404


# --- the same with Redis, as in production --------------------------------------------------------


@pytest.fixture
def redis_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                    "LOCATION": "redis://127.0.0.1:6379/13", "KEY_PREFIX": "qhtest-codes"}
    }
    cache.clear()
    yield cache
    cache.clear()


def _count_round_trips(monkeypatch):
    import redis

    calls = []
    original_execute = redis.client.Pipeline.execute
    original_command = redis.Redis.execute_command

    def execute(self, *args, **kwargs):
        calls.append("pipeline")
        return original_execute(self, *args, **kwargs)

    def command(self, *args, **kwargs):
        if not isinstance(self, redis.client.Pipeline):
            calls.append(args[0])
        return original_command(self, *args, **kwargs)

    monkeypatch.setattr(redis.client.Pipeline, "execute", execute)
    monkeypatch.setattr(redis.Redis, "execute_command", command)
    return calls


def test_with_redis_a_warm_scan_is_one_round_trip_and_counts(actors, redis_cache, monkeypatch, settings):
    settings.CREDIT_CODE_COPY_CLIENTS = 3
    code = codes.code_issue(actor=actors.owner.actor, product=actors.product_a)
    client = actors.anonymous.client()
    page(client, code.code)
    calls = _count_round_trips(monkeypatch)
    with CaptureQueriesContext(connection) as ctx:
        html = page(client, code.code).content.decode()
    assert calls == ["EVALSHA"]
    assert ctx.captured_queries == []
    assert "已被扫描 2 次" in html
    for i in range(4):
        html = page(client, code.code, REMOTE_ADDR=f"10.9.0.{i}").content.decode()
    assert "此码疑似被复制" in html
    assert code_scans.flush() == (1, 6)
    code.refresh_from_db()
    assert code.scan_count == 6 and code.first_scanned_at is not None and code.copy_flagged_at is not None
    assert "已被扫描 7 次" in page(client, code.code).content.decode()


def test_the_short_path_keeps_the_security_headers(actors):
    code = codes.code_issue(actor=actors.owner.actor, product=actors.product_a)
    client = actors.anonymous.client()
    first = page(client, code.code)  # through the whole stack
    second = page(client, code.code)  # the short path (credit/middleware.py)
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Content-Language"):
        assert second.get(header) and second[header] == first[header], header
    assert "script-src 'self'" in second["Content-Security-Policy"]
    assert "<script" not in second.content.decode() and "style=" not in second.content.decode()
    assert client.post(f"/q/{code.code}").status_code == 405


def test_the_short_path_middleware_answers_without_the_inner_stack(actors):
    from django.test import RequestFactory

    from qualityhub.credit.middleware import CodePageMiddleware

    code = codes.code_issue(actor=actors.owner.actor, product=actors.product_a)
    inner = []

    def get_response(request):
        inner.append(request.path)
        response = views_codes.code_page(request, code.code)
        response["X-Frame-Options"] = "DENY"
        return response

    middleware = CodePageMiddleware(get_response)
    factory = RequestFactory()
    middleware(factory.get(f"/q/{code.code}"))  # learns the headers through the inner stack
    response = middleware(factory.get(f"/q/{code.code}"))
    assert inner == [f"/q/{code.code}"]  # the second scan never reached it
    assert response.status_code == 200 and response["X-Frame-Options"] == "DENY"
    assert "已被扫描 2 次" in response.content.decode()
    middleware(factory.get("/credit/codes/"))  # other paths go through
    assert inner[-1] == "/credit/codes/"


def test_a_failed_flush_loses_no_scan(actors, monkeypatch):
    code = codes.code_issue(actor=actors.owner.actor, product=actors.product_a)
    client = actors.anonymous.client()
    for _ in range(3):
        page(client, code.code)

    def broken(rows):
        raise RuntimeError("database down")

    original = code_scans._write
    monkeypatch.setattr(code_scans, "_write", broken)
    with pytest.raises(RuntimeError):
        code_scans.flush()
    monkeypatch.setattr(code_scans, "_write", original)
    page(client, code.code)
    assert code_scans.flush() == (1, 4)
    code.refresh_from_db()
    assert code.scan_count == 4


def test_behind_a_proxy_the_client_address_comes_from_the_configured_header(actors, settings):
    from django.test import RequestFactory

    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    factory = RequestFactory()
    one = factory.get("/q/X", REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP="203.0.113.1")
    two = factory.get("/q/X", REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP="203.0.113.2")
    assert code_scans.client_id(one) != code_scans.client_id(two)
    assert "203.0.113.1" not in code_scans.client_id(one)


def test_web_processes_flush_after_a_response_now_and_then(actors, settings, monkeypatch):
    settings.CREDIT_CODE_FLUSH_SECONDS = 60
    monkeypatch.setattr(code_scans, "_last_flush", code_scans.time.monotonic())
    code = codes.code_issue(actor=actors.owner.actor, product=actors.product_a)
    client = actors.anonymous.client()
    page(client, code.code)
    code.refresh_from_db()
    assert code.scan_count == 0  # not yet a minute
    monkeypatch.setattr(code_scans, "_last_flush", code_scans.time.monotonic() - 61)
    page(client, code.code)  # the flush runs once the response is closed
    code.refresh_from_db()
    assert code.scan_count == 2


def test_one_flush_at_a_time(actors):
    code = codes.code_issue(actor=actors.owner.actor, product=actors.product_a)
    page(actors.anonymous.client(), code.code)
    cache.add(code_scans.K_LOCK, 1, 60)  # another flusher is at work
    assert code_scans.flush() == (0, 0)
    cache.delete(code_scans.K_LOCK)
    assert code_scans.flush() == (1, 1)


def test_a_batch_is_suspended_from_the_product_page(actors, django_capture_on_commit_callbacks):
    batch = codes.code_batch_issue(actor=actors.owner.actor, product=actors.product_a, quantity=3)
    code = batch.codes.first()
    anonymous = actors.anonymous.client()
    assert page(anonymous, code.code).status_code == 200
    client = actors.owner.client()
    url = reverse("credit:code-batch-status", args=[batch.pk])
    response = client.post(url, {"action": "explode", "reason": "x"}, follow=True)
    assert "操作不正确" in response.content.decode()
    response = client.post(url, {"action": "suspend", "reason": ""}, follow=True)
    assert "请填写原因" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "suspend", "reason": "召回中"}, follow=True)
    assert "已更新 3 个信用码的状态" in response.content.decode()
    html = page(anonymous, code.code).content.decode()  # the cached entry was dropped
    assert "此信用码已暂停使用" in html and "召回中" in html
    assert actors.outsider.client().post(url, {"action": "revoke", "reason": "恶意"}).status_code == 404
    assert set(batch.codes.values_list("status", flat=True)) == {CodeStatus.SUSPENDED}


# --- the WSGI short path (credit/fastpath.py) --------------------------------------------------


def _wsgi(app, path, method="GET", **extra):
    import io
    import sys

    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "SERVER_NAME": "testserver", "SERVER_PORT": "80",
        "HTTP_HOST": "testserver", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr,
        "REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": "test", "SCRIPT_NAME": "", **extra,
    }
    started = {}

    def start_response(status, headers, exc_info=None):
        started["status"], started["headers"] = status, dict(headers)

    result = app(environ, start_response)
    body = b"".join(result)
    if hasattr(result, "close"):
        result.close()
    return started["status"], started["headers"], body.decode()


@pytest.fixture
def fast_app(redis_cache, settings):
    from django.core.handlers.wsgi import WSGIHandler

    from qualityhub.credit.fastpath import wrap

    from django.core import signals
    from django.db import close_old_connections

    settings.ALLOWED_HOSTS = ["testserver"]
    # As Django's test client does: the handler must not close the test transaction's
    # connection at the end of a request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield wrap(WSGIHandler())
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_warm_scans_are_answered_before_django_with_the_same_page(actors, fast_app):
    from django.core.signals import request_started

    code = codes.code_issue(actor=actors.owner.actor, product=actors.product_a)
    status, first_headers, first = _wsgi(fast_app, f"/q/{code.code}")  # Django answers, the wrapper learns
    assert status.startswith("200") and "您是第一位扫描此码的人" in first
    started = []
    request_started.connect(lambda **kw: started.append(1), weak=False, dispatch_uid="fastpath-test")
    try:
        with CaptureQueriesContext(connection) as ctx:
            status, headers, body = _wsgi(fast_app, f"/q/{code.code}")
    finally:
        request_started.disconnect(dispatch_uid="fastpath-test")
    assert status.startswith("200") and started == [] and ctx.captured_queries == []
    assert "已被扫描 2 次" in body
    assert body.replace("已被扫描 2 次", "") .split('id="scan-stats"')[0] == first.split('id="scan-stats"')[0]
    for name in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy", "Vary",
                 "Content-Language"):
        assert headers.get(name) == first_headers.get(name), name
    status, headers, body = _wsgi(fast_app, f"/q/{code.code}", method="HEAD")
    assert status.startswith("200") and body == "" and int(headers["Content-Length"]) > 1000
    assert code_scans.flush() == (1, 3)


def test_the_short_path_hands_misses_and_warnings_to_django_counting_once(actors, fast_app, django_capture_on_commit_callbacks):
    code = codes.code_issue(actor=actors.owner.actor, product=actors.product_a)
    _wsgi(fast_app, f"/q/{code.code}")
    with django_capture_on_commit_callbacks(execute=True):
        codes.code_suspend(actor=actors.owner.actor, code=code, reason="标签印刷错误")
    status, _headers, body = _wsgi(fast_app, f"/q/{code.code}")
    assert status.startswith("200") and "此信用码已暂停使用" in body
    status, _headers, body = _wsgi(fast_app, f"/q/{codes.code_generate()}")
    assert status.startswith("404") and "未找到此信用码" in body
    assert _wsgi(fast_app, f"/q/{code.code}", method="POST")[0][:3] in ("403", "405")
    assert code_scans.flush()[1] == 3  # two scans of the code and one of the forged code, each once


def test_the_short_path_steps_aside_for_the_ssl_redirect(actors, fast_app, settings):
    from django.core.handlers.wsgi import WSGIHandler

    from qualityhub.credit.fastpath import wrap

    code = codes.code_issue(actor=actors.owner.actor, product=actors.product_a)
    settings.SECURE_SSL_REDIRECT = True
    fast_app = wrap(WSGIHandler())  # middleware read the setting when loaded
    _wsgi(fast_app, f"/q/{code.code}", **{"wsgi.url_scheme": "https"})
    status, headers, _body = _wsgi(fast_app, f"/q/{code.code}")
    assert status.startswith("301") and headers["Location"].startswith("https://")
    status, _headers, body = _wsgi(fast_app, f"/q/{code.code}", **{"wsgi.url_scheme": "https"})
    assert status.startswith("200") and "已被扫描" in body


def test_the_short_path_speaks_the_chosen_language(actors, fast_app):
    code = codes.code_issue(actor=actors.owner.actor, product=actors.product_a)
    _wsgi(fast_app, f"/q/{code.code}")
    status, headers, body = _wsgi(fast_app, f"/q/{code.code}", HTTP_COOKIE="django_language=en")
    assert status.startswith("200") and headers["Content-Language"] == "en"
    assert "This code has been scanned" in body or "Valid credit code" in body
    assert "此码已被扫描" not in body


def test_the_code_list_exports_to_excel_and_filters(actors):
    batch = codes.code_batch_issue(actor=actors.owner.actor, product=actors.product_a, quantity=3)
    single = codes.code_issue(actor=actors.owner.actor, product=actors.product_a)
    client = actors.owner.client()
    url = reverse("credit:code-list")
    response = client.get(url, {"export": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    html = client.get(url, {"batch": batch.pk}).content.decode()
    assert single.code not in html and all(c in html for c in batch.codes.values_list("code", flat=True))
    html = client.get(url, {"code": single.code.lower()}).content.decode()
    assert single.code in html and batch.codes.first().code not in html


def test_codes_of_one_product_share_the_page_but_show_their_own_code(actors):
    batch = codes.code_batch_issue(actor=actors.owner.actor, product=actors.product_a, quantity=2)
    one, two = batch.codes.order_by("id")
    client = actors.anonymous.client()
    first = page(client, one.code).content.decode()
    with CaptureQueriesContext(connection) as ctx:
        second = page(client, two.code).content.decode()
    assert not [q for q in ctx.captured_queries if "registry_product" in q["sql"]]  # the shared page, cached
    assert one.code in first and two.code not in first
    assert two.code in second and one.code not in second
    assert reverse("qcode:report", args=[two.code]) in second
    assert "~~QCODE~~" not in second
