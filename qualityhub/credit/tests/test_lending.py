"""Credit reports for lenders: consent, the bank's view, stamped reports, the access
log, public verification, and the access matrix of every lending page."""

import datetime
import hashlib
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qualityhub.accounts.choices import MembershipRole, OrganisationKind
from qualityhub.core.testing.factories import EnterpriseFactory, MembershipFactory, OrganisationFactory
from qualityhub.credit import lending
from qualityhub.credit.models import (
    CreditRecord,
    CreditReport,
    EnterpriseScore,
    GoodStanding,
    LenderConsent,
    ReportAccess,
)
from qualityhub.registry.models import HonourTag

LOGIN = "login"
TODAY = timezone.localdate()
IN_90_DAYS = TODAY + datetime.timedelta(days=90)


def _record(subject, kind, status, reference, **extra):
    return CreditRecord.objects.create(
        subject=subject, kind=kind, status=status, reference=reference, fact_date=TODAY - datetime.timedelta(days=30),
        source_department="深圳市市场监督管理局", summary=f"摘要{reference}", **extra,
    )


def _grant(actors, **kwargs):
    kwargs.setdefault("valid_until", IN_90_DAYS)
    return lending.consent_grant(actor=actors.owner.actor, bank=actors.bank_org, **kwargs)


@pytest.fixture
def world(actors):
    actors.consent_a = _grant(actors)
    return actors


# --- consent ---------------------------------------------------------------------------


def test_granted_consent_lets_the_bank_list_and_open_the_report(world):
    client = world.bank.client()
    listing = client.get(reverse("credit:lending-bank-list")).content.decode()
    assert world.enterprise_a.name in listing
    assert world.enterprise_b.name not in listing
    response = client.get(reverse("credit:lending-report", args=[world.consent_a.pk]))
    assert response.status_code == 200
    report = CreditReport.objects.get()
    assert report.number in response.content.decode()
    assert 'id="print-report"' in response.content.decode()  # printed through app.js, no inline script
    assert report.issued_to == world.bank.user and report.bank == world.bank_org and report.enterprise == world.enterprise_a


def test_expired_consent_shows_nothing(world):
    expired = LenderConsent.objects.create(
        enterprise=world.enterprise_b, bank=world.bank_org, valid_until=TODAY - datetime.timedelta(days=1)
    )
    client = world.bank.client()
    assert world.enterprise_b.name not in client.get(reverse("credit:lending-bank-list")).content.decode()
    assert client.get(reverse("credit:lending-report", args=[expired.pk])).status_code == 404
    assert client.get(reverse("credit:lending-report-pdf", args=[expired.pk])).status_code == 404
    # The same consent seen on its last day and the day after (today frozen by argument).
    last_day = IN_90_DAYS
    assert list(lending.consents_for_bank(actor=world.bank.actor, today=last_day)) == [world.consent_a]
    assert list(lending.consents_for_bank(actor=world.bank.actor, today=last_day + datetime.timedelta(days=1))) == []
    with pytest.raises(Http404):
        lending.report_issue(actor=world.bank.actor, consent_pk=world.consent_a.pk, action="view",
                             today=last_day + datetime.timedelta(days=1))
    assert not CreditReport.objects.exists() and not ReportAccess.objects.exists()


def test_revoked_consent_shows_nothing_and_only_the_enterprise_revokes(world):
    with pytest.raises(Http404):
        lending.consent_revoke(actor=world.outsider.actor, pk=world.consent_a.pk)
    with pytest.raises(PermissionDenied):
        lending.consent_revoke(actor=world.colleague.actor, pk=world.consent_a.pk)
    response = world.owner.client().post(reverse("credit:lending-consent-revoke", args=[world.consent_a.pk]))
    assert response.status_code == 302
    world.consent_a.refresh_from_db()
    assert world.consent_a.revoked_at is not None and world.consent_a.revoked_by == world.owner.user
    client = world.bank.client()
    assert world.enterprise_a.name not in client.get(reverse("credit:lending-bank-list")).content.decode()
    assert client.get(reverse("credit:lending-report", args=[world.consent_a.pk])).status_code == 404


def test_another_bank_sees_nothing(world):
    other_bank = OrganisationFactory(name="另一银行", kind=OrganisationKind.BANK)
    other = MembershipFactory(organisation=other_bank, role=MembershipRole.ADMIN).user
    from django.test import Client

    client = Client()
    client.force_login(other)
    assert world.enterprise_a.name not in client.get(reverse("credit:lending-bank-list")).content.decode()
    assert client.get(reverse("credit:lending-report", args=[world.consent_a.pk])).status_code == 404
    assert client.get(reverse("credit:lending-report-pdf", args=[world.consent_a.pk])).status_code == 404


def test_a_new_grant_to_the_same_bank_replaces_the_active_one(world):
    newer = _grant(world, valid_until=TODAY + datetime.timedelta(days=30))
    world.consent_a.refresh_from_db()
    assert world.consent_a.revoked_at is not None
    assert list(lending.consents_for_bank(actor=world.bank.actor)) == [newer]


def test_an_enterprise_grants_only_for_itself(world):
    with pytest.raises(Http404):
        lending.consent_grant(actor=world.owner.actor, enterprise=world.enterprise_b, bank=world.bank_org,
                              valid_until=IN_90_DAYS)
    with pytest.raises(Http404):  # a regulator or bank cannot grant at all
        lending.consent_grant(actor=world.regulator_same_city.actor, bank=world.bank_org, valid_until=IN_90_DAYS)
    with pytest.raises(PermissionDenied):  # staff may read, only the enterprise's admin decides
        lending.consent_grant(actor=world.colleague.actor, bank=world.bank_org, valid_until=IN_90_DAYS)
    assert LenderConsent.objects.count() == 1


@pytest.mark.parametrize(
    "kwargs,field,message",
    [
        ({"bank": "lab"}, "bank", "被授权机构必须是平台上登记的银行。"),
        ({"bank": "enterprise_b"}, "bank", "被授权机构必须是平台上登记的银行。"),
        ({"valid_until": TODAY}, "valid_until", "授权截止日期必须晚于今天。"),
        ({"valid_until": TODAY - datetime.timedelta(days=3)}, "valid_until", "授权截止日期必须晚于今天。"),
        ({"valid_until": TODAY + datetime.timedelta(days=366)}, "valid_until", "授权期限最长一年"),
        ({"report_kind": "basic", "share_risk_class": True}, "share_risk_class", "只有完整版报告可以提供风险分类。"),
        ({"report_kind": "everything"}, "report_kind", "报告类型无效。"),
    ],
)
def test_bad_grants_are_refused_in_chinese_naming_the_field(actors, kwargs, field, message):
    kwargs = dict(kwargs)
    if kwargs.get("bank") in ("lab", "enterprise_b"):
        kwargs["bank"] = getattr(actors, kwargs["bank"])
    kwargs.setdefault("bank", actors.bank_org)
    kwargs.setdefault("valid_until", IN_90_DAYS)
    with pytest.raises(ValidationError) as caught:
        lending.consent_grant(actor=actors.owner.actor, **kwargs)
    assert message in caught.value.message_dict[field][0]
    assert not LenderConsent.objects.exists()


def test_a_full_year_is_the_longest_consent(actors):
    consent = _grant(actors, valid_until=TODAY + datetime.timedelta(days=365))
    assert consent.valid_until == TODAY + datetime.timedelta(days=365)


def test_grant_page_grants_and_shows_errors(actors):
    client = actors.owner.client()
    url = reverse("credit:lending-consent-list")
    bad = client.post(url, {"bank": actors.bank_org.pk, "report_kind": "basic",
                            "valid_until": (TODAY - datetime.timedelta(days=1)).isoformat()})
    assert bad.status_code == 400
    assert "授权截止日期必须晚于今天。" in bad.content.decode()
    not_a_bank = client.post(url, {"bank": actors.lab.pk, "report_kind": "basic", "valid_until": IN_90_DAYS.isoformat()})
    assert not_a_bank.status_code == 400
    good = client.post(url, {"bank": actors.bank_org.pk, "report_kind": "full", "share_risk_class": "on",
                             "valid_until": IN_90_DAYS.isoformat()})
    assert good.status_code == 302
    consent = LenderConsent.objects.get()
    assert (consent.enterprise, consent.bank, consent.report_kind, consent.share_risk_class) == (
        actors.enterprise_a, actors.bank_org, "full", True)
    assert actors.bank_org.name in client.get(url).content.decode()
    from qualityhub.core.models import Notification

    assert Notification.objects.filter(organisation=actors.bank_org).exists()


# --- report content ----------------------------------------------------------------------


def test_report_content_what_is_in_and_what_is_out(world):
    a = world.enterprise_a
    honour = HonourTag.objects.order_by("id").first()  # seeded reference data
    a.profile.honours.add(honour)
    _record(a, "penalty", "active", "深市监罚〔2026〕1号", penalty_amount=5000)
    _record(a, "complaint", "objected", "投诉-2")
    _record(a, "complaint", "repaired", "投诉-修复")
    _record(a, "complaint", "withdrawn", "投诉-撤销")
    _record(a, "complaint", "pending", "投诉-待复核")
    _record(a, "sampling_pass", "expired", "抽查-往年合格")
    _record(a, "sampling_fail_general", "repaired", "抽查-已修复")
    _record(a, "sampling_fail_general", "active", "抽查-不合格")
    _record(world.enterprise_b, "penalty", "active", "乙-罚-1", penalty_amount=1)
    content = lending.report_content(LenderConsent.objects.select_related("enterprise", "bank").get(pk=world.consent_a.pk))
    references = {r["reference"] for r in content["records"]}
    assert references == {"深市监罚〔2026〕1号", "投诉-2", "抽查-不合格"}
    assert {r["reference"] for r in content["sampling_history"]} == {"抽查-往年合格", "抽查-不合格"}
    assert content["honours"] == [honour.name]
    assert "risk_class" not in content and "good_standing_tier" not in content  # a basic report
    by_reference = {r["reference"]: r for r in content["records"]}
    assert by_reference["投诉-2"]["status"] == "objected"  # under objection: shown, and marked
    assert by_reference["深市监罚〔2026〕1号"]["penalty_amount"] == "5000.00"


def test_a_shared_class_not_yet_computed_reads_unclassified(actors):
    consent = _grant(actors, report_kind="full", share_risk_class=True)
    page = actors.bank.client().get(reverse("credit:lending-report", args=[consent.pk])).content.decode()
    assert 'id="risk-class"' in page and "尚未分类" in page
    snapshot = CreditReport.objects.get().snapshot
    assert snapshot["risk_class"] is None and snapshot["good_standing_tier"] is None


def test_the_class_appears_only_when_shared(actors):
    EnterpriseScore.objects.create(subject=actors.enterprise_a, score=61, risk_class="C", model_version=1,
                                   computed_at=timezone.now())
    GoodStanding.objects.create(subject=actors.enterprise_a, tier=5, clean_since=TODAY - datetime.timedelta(days=2000),
                                city=actors.enterprise_a.city, computed_at=timezone.now())
    client = actors.bank.client()
    not_shared = _grant(actors, report_kind="full", share_risk_class=False)
    page = client.get(reverse("credit:lending-report", args=[not_shared.pk])).content.decode()
    assert "C类（较高风险）" not in page and 'id="risk-class"' not in page
    assert "连续5年无不合格" in page
    assert "risk_class" not in CreditReport.objects.get().snapshot
    shared = _grant(actors, report_kind="full", share_risk_class=True)
    page = client.get(reverse("credit:lending-report", args=[shared.pk])).content.decode()
    assert "C类（较高风险）" in page
    assert CreditReport.objects.order_by("-id").first().snapshot["risk_class"]["class"] == "C"


def test_the_hash_is_the_sha256_of_the_canonical_snapshot(world):
    report = lending.report_issue(actor=world.bank.actor, consent_pk=world.consent_a.pk, action="view")
    report.refresh_from_db()
    canonical = json.dumps(report.snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    assert report.content_hash == hashlib.sha256(canonical).hexdigest()
    assert report.snapshot["number"] == report.number
    other = lending.report_issue(actor=world.bank.actor, consent_pk=world.consent_a.pk, action="view")
    assert other.number != report.number
    assert lending.normalise_number(report.number) == report.number
    assert len(report.number.replace("-", "")) == 16


# --- access log ----------------------------------------------------------------------------


def test_every_access_is_logged_and_shown_to_the_enterprise(world):
    client = world.bank.client()
    client.get(reverse("credit:lending-report", args=[world.consent_a.pk]), REMOTE_ADDR="10.1.2.3")
    client.get(reverse("credit:lending-report-pdf", args=[world.consent_a.pk]), REMOTE_ADDR="10.1.2.4")
    accesses = list(ReportAccess.objects.order_by("id"))
    assert [(a.action, a.user, a.bank, a.ip) for a in accesses] == [
        ("view", world.bank.user, world.bank_org, "10.1.2.3"),
        ("download", world.bank.user, world.bank_org, "10.1.2.4"),
    ]
    assert len({a.report.number for a in accesses}) == 2
    response = world.colleague.client().get(reverse("credit:lending-access-log"))
    page = response.content.decode()
    for access in accesses:
        assert access.report.number in page
    assert world.bank_org.name in page and world.bank.user.name in page and "10.1.2.4" in page
    assert "在线查看" in page and "下载" in page
    # (both words are also in the action filter's choices: check the table's cells)
    cells = [(row.get_cell_value("action"), row.get_cell_value("report")) for row in response.context["table"].rows]
    assert cells == [("下载", accesses[1].report.number), ("在线查看", accesses[0].report.number)]
    # Another enterprise's log shows none of it.
    other = world.outsider.client().get(reverse("credit:lending-access-log")).content.decode()
    assert accesses[0].report.number not in other


def test_pdf_download(world):
    response = world.bank.client().get(reverse("credit:lending-report-pdf", args=[world.consent_a.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    number = CreditReport.objects.get().number
    assert number.encode() in response.content
    assert "attachment" in response["Content-Disposition"]


# --- verification ---------------------------------------------------------------------------


def test_verification_page_valid_unknown_and_forged(world):
    _record(world.enterprise_a, "penalty", "active", "深市监罚〔2026〕9号", penalty_amount=5000)
    report = lending.report_issue(actor=world.bank.actor, consent_pk=world.consent_a.pk, action="view")
    from django.test import Client

    anonymous = Client()
    page = anonymous.get(reverse("credit-verify:verify", args=[report.number]))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="verify-valid"' in text
    assert world.enterprise_a.name in text and report.content_hash in text and lending.PLATFORM_NAME in text
    # Nothing else private: not the bank, the records, the code or the user.
    for secret in (world.bank_org.name, "深市监罚〔2026〕9号", world.enterprise_a.uscc, world.bank.user.name):
        assert secret not in text
    # Typed in lower case without dashes, with O for 0: the same report.
    typed = report.number.replace("-", "").lower().replace("0", "o")
    assert 'id="verify-valid"' in anonymous.get(reverse("credit-verify:verify", args=[typed])).content.decode()
    # A well-formed number never issued, and a malformed one: unknown.
    forged = "-".join(["ZZZZ"] * 4) if report.number != "ZZZZ-ZZZZ-ZZZZ-ZZZZ" else "-".join(["YYYY"] * 4)
    for number in (forged, "1234", "<script>"):
        response = anonymous.get(reverse("credit-verify:verify", args=[number]))
        assert response.status_code == 200
        assert 'id="verify-unknown"' in response.content.decode()
        assert world.enterprise_a.name not in response.content.decode()
    # Changing one character of a real number does not verify.
    last = report.number[-1]
    altered = report.number[:-1] + ("0" if last != "0" else "1")
    assert lending.report_verify(altered) is None


# --- query counts ----------------------------------------------------------------------------


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_bank_list_query_count_does_not_grow_with_rows(actors):
    url = reverse("credit:lending-bank-list")
    client = actors.bank.client()

    def add(n):
        for _ in range(n):
            LenderConsent.objects.create(enterprise=EnterpriseFactory(), bank=actors.bank_org, valid_until=IN_90_DAYS)

    add(5)
    few = _count(client, url)
    add(25)
    many = _count(client, url)
    assert few == many
    assert many <= 10


def test_issuing_a_report_query_count_does_not_grow_with_records(actors):
    consent = _grant(actors, report_kind="full", share_risk_class=True)

    def issue():
        with CaptureQueriesContext(connection) as ctx:
            lending.report_issue(actor=actors.bank.actor, consent_pk=consent.pk, action="view")
        return len(ctx.captured_queries)

    def add(n, start):
        for i in range(start, start + n):
            _record(actors.enterprise_a, "sampling_pass", "active", f"抽查-{i}")

    add(5, 0)
    few = issue()
    add(25, 5)
    many = issue()
    assert few == many
    assert len(CreditReport.objects.order_by("-id").first().snapshot["sampling_history"]) == 30


def test_access_log_query_count_does_not_grow_with_rows(world):
    url = reverse("credit:lending-access-log")
    client = world.owner.client()

    def add(n):
        for i in range(n):
            lending.report_issue(actor=world.bank.actor, consent_pk=world.consent_a.pk,
                                 action="view" if i % 2 else "download", ip="10.0.0.1")

    add(5)
    few = _count(client, url)
    add(25)
    many = _count(client, url)
    assert few == many
    assert many <= 10


# --- access matrix ---------------------------------------------------------------------------

ACTORS = [
    "owner", "colleague", "outsider", "far_enterprise", "regulator_same_city", "regulator_other_city",
    "regulator_district", "regulator_province", "provider", "bank", "platform_admin", "anonymous",
]
ENTERPRISES = {"owner", "colleague", "outsider", "far_enterprise"}


def _matrix(allowed, ok, *, denied=404, anonymous=LOGIN, overrides=None):
    expected = {name: (ok if name in allowed else denied) for name in ACTORS}
    expected["anonymous"] = anonymous
    expected.update(overrides or {})
    return expected


def _grant_body(w):
    return {"bank": w.bank_org.pk, "report_kind": "basic", "valid_until": IN_90_DAYS.isoformat()}


PAGES = [
    ("consent list", "get", lambda w: reverse("credit:lending-consent-list"), None, _matrix(ENTERPRISES, 200)),
    ("consent grant", "post", lambda w: reverse("credit:lending-consent-list"), _grant_body,
     _matrix(ENTERPRISES, 302, overrides={"colleague": 403})),
    ("consent A revoke", "post", lambda w: reverse("credit:lending-consent-revoke", args=[w.consent_a.pk]), None,
     _matrix({"owner"}, 302, overrides={"colleague": 403})),
    ("access log", "get", lambda w: reverse("credit:lending-access-log"), None, _matrix(ENTERPRISES, 200)),
    ("bank list", "get", lambda w: reverse("credit:lending-bank-list"), None, _matrix({"bank"}, 200)),
    ("report A", "get", lambda w: reverse("credit:lending-report", args=[w.consent_a.pk]), None, _matrix({"bank"}, 200)),
    ("report A pdf", "get", lambda w: reverse("credit:lending-report-pdf", args=[w.consent_a.pk]), None,
     _matrix({"bank"}, 200)),
    ("verify", "get", lambda w: reverse("credit-verify:verify", args=["ABCD-EFGH-JKMN-PQRS"]), None,
     _matrix(ACTORS, 200, anonymous=200)),
]


def _cases():
    for name, method, url, body, expected in PAGES:
        for actor in ACTORS:
            yield pytest.param(method, url, body, actor, expected[actor], id=f"{name} | {actor}")


@pytest.mark.parametrize("method,url,body,actor,expected", list(_cases()))
def test_each_lending_page_answers_each_actor_as_the_matrix_says(world, method, url, body, actor, expected):
    person = getattr(world, actor)
    response = getattr(person.client(), method)(url(world), body(world) if body else {})
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login") + "?next=")
    else:
        assert response.status_code == expected, response.content[:300]
    issued = CreditReport.objects.count()
    assert issued == (1 if expected == 200 and "report" in url(world) else 0)


def test_behind_a_proxy_the_access_log_keeps_the_clients_address(world, settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    world.bank.client().get(
        reverse("credit:lending-report", args=[world.consent_a.pk]), REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.9"
    )
    assert list(ReportAccess.objects.values_list("ip", flat=True)) == ["203.0.113.9"]
