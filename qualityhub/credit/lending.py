"""Credit reports for lenders: consent, report building and issue, verification.

An enterprise grants one bank consent to read its quality credit report (basic or
full, the risk class only if it says so) until a date, and may revoke it. While the
consent is active (not revoked, ``valid_until`` not passed: computed at read time) the
bank's users open or download the report; each access issues a stamped report with a
random verification number and is logged for the enterprise to see. Anyone can check
a number at /verify/<number>, which shows only the enterprise's name, the issue date,
the platform and the content hash.

What a report shows (decided here): the records the public may see (PUBLIC_STATUSES:
effective or under objection, the latter marked); a repaired record has left public
view under the credit-repair rules and consent does not bring it back, so repaired,
expired-from-publicity, withdrawn, pending and rejected records are left out. The
supervision sampling history lists every sampling result that still counts
(COUNTING_STATUSES: a pass or fail past its publicity period included, since it is the
history the good-standing tier is computed from), never a repaired one. Honours come
from the enterprise profile; the full report adds the good-standing tier and, only if
``share_risk_class``, the current risk class.
"""

import datetime
import hashlib
import json
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from qualityhub.accounts.choices import OrganisationKind
from qualityhub.accounts.models import Organisation
from qualityhub.core.audit import write_service
from qualityhub.core.notifications import notify
from qualityhub.core.scoping import access, visible
from qualityhub.credit.choices import COUNTING_STATUSES, PUBLIC_STATUSES, SAMPLING_KINDS
from qualityhub.credit.models import CreditRecord, CreditReport, LenderConsent, ReportAccess, ReportKind, RiskClass
from qualityhub.credit.scoring import current_class
from qualityhub.credit.standing import good_standing_tier

MAX_CONSENT_DAYS = 366  # a consent lasts at most one year (a leap year's day included)
REPORT_RECORD_LIMIT = 500  # newest records listed in one report
PLATFORM_NAME = "QualityHub 质量基础设施一站式服务平台"

# Crockford's base 32: no I, L, O or U, so a number read aloud or retyped is not
# mistaken. 16 characters = 80 random bits: not guessable, not sequential.
NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
NUMBER_LENGTH = 16
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def _today(today):
    return today or timezone.localdate()


# ---------------------------------------------------------------- selectors


def active_q(today):
    return Q(revoked_at__isnull=True, valid_until__gte=today)


def consents_of_enterprise(*, actor):
    """The acting enterprise's consents, newest first (active, expired and revoked)."""
    if not actor.is_enterprise:
        return LenderConsent.objects.none()
    return (
        visible(LenderConsent, actor)
        .filter(enterprise=actor.organisation)
        .select_related("bank", "granted_by", "revoked_by")
        .order_by("-id")
    )


def consents_for_bank(*, actor, today=None):
    """The active consents addressed to the acting bank, newest first."""
    if not actor.is_bank:
        return LenderConsent.objects.none()
    return (
        LenderConsent.objects.filter(active_q(_today(today)), bank=actor.organisation)
        .select_related("enterprise", "enterprise__city")
        .order_by("-id")
    )


def consent_for_bank(*, actor, pk, today=None):
    """One active consent addressed to the acting bank, or 404 (none, expired, revoked,
    another bank's); with what a report needs loaded."""
    try:
        return consents_for_bank(actor=actor, today=today).select_related("enterprise__profile", "bank").get(pk=pk)
    except (LenderConsent.DoesNotExist, ValueError, TypeError):
        raise Http404("Not found")


def access_log(*, actor):
    """Every access to the acting enterprise's reports, newest first."""
    if not actor.is_enterprise:
        return ReportAccess.objects.none()
    return (
        visible(ReportAccess, actor)
        .filter(enterprise=actor.organisation)
        .select_related("bank", "user", "report")
        .order_by("-at", "-id")
    )


def _grouped(raw):
    return "-".join(raw[i : i + 4] for i in range(0, NUMBER_LENGTH, 4))


def normalise_number(text):
    """The canonical XXXX-XXXX-XXXX-XXXX form of a typed number, or None."""
    raw = "".join(ch for ch in str(text or "").upper() if ch.isalnum()).translate(_CONFUSABLE)
    if len(raw) != NUMBER_LENGTH or any(ch not in NUMBER_ALPHABET for ch in raw):
        return None
    return _grouped(raw)


def report_verify(number):
    """What the public may know of an issued report: None when unknown."""
    canonical = normalise_number(number)
    if canonical is None:
        return None
    row = (
        CreditReport.objects.filter(number=canonical)
        .values("number", "issued_at", "content_hash", "enterprise__name")
        .first()
    )
    if row is None:
        return None
    return {
        "number": row["number"],
        "enterprise_name": row["enterprise__name"],
        "issued_on": timezone.localtime(row["issued_at"]).date(),
        "platform": PLATFORM_NAME,
        "content_hash": row["content_hash"],
    }


def _record_row(record):
    return {
        "kind": record.kind,
        "kind_display": str(record.get_kind_display()),
        "fact_date": record.fact_date.isoformat(),
        "source_department": record.source_department,
        "reference": record.reference,
        "summary": record.summary,
        "product": record.product.name + " " + record.product.model if record.product_id else "",
        "penalty_amount": str(record.penalty_amount) if record.penalty_amount is not None else None,
        "status": record.status,
        "status_display": str(record.get_status_display()),
    }


def report_content(consent):
    """The body of a report under ``consent`` (plain JSON-able data, Chinese labels)."""
    enterprise = consent.enterprise
    with translation.override("zh-hans"):
        records_qs = (
            CreditRecord.objects.filter(subject=enterprise, status__in=PUBLIC_STATUSES)
            .select_related("product")
            .order_by("-fact_date", "-id")
        )
        records = [_record_row(r) for r in records_qs[: REPORT_RECORD_LIMIT + 1]]
        sampling_qs = (
            CreditRecord.objects.filter(subject=enterprise, kind__in=SAMPLING_KINDS, status__in=COUNTING_STATUSES)
            .select_related("product")
            .order_by("-fact_date", "-id")
        )
        sampling = [_record_row(r) for r in sampling_qs[:REPORT_RECORD_LIMIT]]
        profile = getattr(enterprise, "profile", None)
        honours = [h.name for h in profile.honours.all()] if profile is not None else []
        content = {
            "enterprise": {"name": enterprise.name, "uscc": enterprise.uscc},
            "bank": {"name": consent.bank.name},
            "report_kind": consent.report_kind,
            "report_kind_display": str(consent.get_report_kind_display()),
            "records": records[:REPORT_RECORD_LIMIT],
            "records_truncated": len(records) > REPORT_RECORD_LIMIT,
            "honours": honours,
            "sampling_history": sampling,
        }
        if consent.report_kind == ReportKind.FULL:
            content["good_standing_tier"] = good_standing_tier(enterprise)
            if consent.share_risk_class:
                risk_class = current_class(enterprise)
                content["risk_class"] = (
                    {"class": risk_class, "display": str(RiskClass(risk_class).label)} if risk_class else None
                )
    return content


def canonical_bytes(snapshot):
    return json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def content_hash(snapshot):
    return hashlib.sha256(canonical_bytes(snapshot)).hexdigest()


def _new_number():
    while True:
        raw = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_LENGTH))
        number = _grouped(raw)
        if not CreditReport.objects.filter(number=number).exists():
            return number


# ---------------------------------------------------------------- services


def _require_enterprise_admin(actor):
    if not actor.is_enterprise:
        raise Http404("Not found")
    if not actor.is_org_admin:
        raise PermissionDenied(_("只有企业管理员可以授权或撤回授权。"))


@write_service
def consent_grant(*, actor, bank, valid_until, report_kind=ReportKind.BASIC, share_risk_class=False, enterprise=None,
                  today=None):
    """The acting enterprise grants ``bank`` consent until ``valid_until``. A new grant
    to the same bank replaces its active one."""
    _require_enterprise_admin(actor)
    if enterprise is not None and getattr(enterprise, "pk", enterprise) != actor.organisation.pk:
        raise Http404("Not found")  # an enterprise grants only for itself
    today = _today(today)
    errors = {}
    if not isinstance(bank, Organisation):
        bank = Organisation.objects.filter(pk=bank).first()
    if bank is None or bank.kind != OrganisationKind.BANK:
        errors["bank"] = _("被授权机构必须是平台上登记的银行。")
    if report_kind not in ReportKind.values:
        errors["report_kind"] = _("报告类型无效。")
    if share_risk_class and report_kind != ReportKind.FULL:
        errors["share_risk_class"] = _("只有完整版报告可以提供风险分类。")
    if not isinstance(valid_until, datetime.date):
        errors["valid_until"] = _("请填写授权截止日期。")
    elif valid_until <= today:
        errors["valid_until"] = _("授权截止日期必须晚于今天。")
    elif valid_until > today + datetime.timedelta(days=MAX_CONSENT_DAYS - 1):
        errors["valid_until"] = _("授权期限最长一年，截止日期不得晚于%(date)s。") % {
            "date": (today + datetime.timedelta(days=MAX_CONSENT_DAYS - 1)).isoformat()
        }
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    for previous in LenderConsent.objects.filter(active_q(today), enterprise=actor.organisation, bank=bank):
        previous.revoked_at = now
        previous.revoked_by = actor.user
        previous.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    consent = LenderConsent.objects.create(
        enterprise=actor.organisation, bank=bank, report_kind=report_kind, share_risk_class=bool(share_risk_class),
        valid_until=valid_until, granted_by=actor.user,
    )
    notify(
        organisation=bank,
        title=_("%(name)s 授权贵行查询其质量信用报告") % {"name": actor.organisation.name},
        body=_("授权截止日期：%(date)s") % {"date": valid_until.isoformat()},
        url=reverse("credit:lending-bank-list"),
    )
    return consent


@write_service
def consent_revoke(*, actor, pk):
    """The acting enterprise revokes one of its consents (404 if not its own)."""
    _require_enterprise_admin(actor)
    consent = access(LenderConsent.objects.select_for_update(), actor, pk, action="change")
    if consent.revoked_at is None:
        consent.revoked_at = timezone.now()
        consent.revoked_by = actor.user
        consent.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    return consent


@write_service
def report_issue(*, actor, consent_pk, action, ip=None, today=None):
    """Issue a stamped report to the acting bank user under an active consent and log
    the access. 404 without an active consent addressed to the actor's bank."""
    consent = consent_for_bank(actor=actor, pk=consent_pk, today=today)
    now = timezone.now()
    number = _new_number()
    snapshot = {
        "number": number,
        "issued_at": now.isoformat(),
        "platform": PLATFORM_NAME,
        "issued_to": {"user": actor.user.name if actor.user else "", "bank": consent.bank.name},
        **report_content(consent),
    }
    report = CreditReport.objects.create(
        number=number, consent=consent, enterprise=consent.enterprise, bank=consent.bank, issued_to=actor.user,
        issued_at=now, content_hash=content_hash(snapshot), snapshot=snapshot,
    )
    ReportAccess.objects.create(
        enterprise=consent.enterprise, bank=consent.bank, user=actor.user, consent=consent, report=report,
        action=action, at=now, ip=ip or None,
    )
    return report

