"""Kinds of credit records and the rules that come with each kind."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordKind(models.TextChoices):
    SAMPLING_PASS = "sampling_pass", _("监督抽查合格")
    SAMPLING_FAIL_GENERAL = "sampling_fail_general", _("监督抽查不合格（一般不合格）")
    SAMPLING_FAIL_SERIOUS = "sampling_fail_serious", _("监督抽查不合格（严重不合格）")
    PENALTY = "penalty", _("行政处罚")
    COMPLAINT = "complaint", _("投诉属实")
    RECALL_VOLUNTARY = "recall_voluntary", _("主动召回")
    RECALL_ORDERED = "recall_ordered", _("责令召回")
    CERT_GAINED = "cert_gained", _("获得认证")
    CERT_SUSPENDED = "cert_suspended", _("认证暂停")
    CERT_REVOKED = "cert_revoked", _("认证撤销")
    AWARD_NATIONAL = "award_national", _("国家级质量奖")
    AWARD_PROVINCIAL = "award_provincial", _("省级质量奖")
    AWARD_CITY = "award_city", _("市级质量奖")
    AWARD_NOMINATION = "award_nomination", _("质量奖提名")
    QUALITY_COMMITMENT = "quality_commitment", _("质量承诺")
    STANDARD_FORERUNNER = "standard_forerunner", _("企业标准“领跑者”")
    FALSE_TEST_DATA = "false_test_data", _("出具虚假检测数据")
    FALSE_CERTIFICATION = "false_certification", _("出具虚假认证结论")


class RecordStatus(models.TextChoices):
    PENDING = "pending", _("待复核")
    ACTIVE = "active", _("有效")
    OBJECTED = "objected", _("异议处理中")
    REPAIRED = "repaired", _("已信用修复")
    EXPIRED = "expired", _("公示期满")
    WITHDRAWN = "withdrawn", _("已撤销")
    REJECTED = "rejected", _("复核未通过")


class RecordChannel(models.TextChoices):
    WEB = "web", _("页面录入")
    IMPORT = "import", _("批量导入")
    API = "api", _("接口报送")
    MODULE = "module", _("业务模块")


class DecisionStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    ACCEPTED = "accepted", _("已采纳")
    REFUSED = "refused", _("不予采纳")


class EvidencePurpose(models.TextChoices):
    RECORD = "record", _("记录证据")
    OBJECTION = "objection", _("异议材料")
    REPAIR = "repair", _("修复材料")


@dataclass(frozen=True)
class KindRule:
    """What a kind of record means for the archive.

    ``negative``: counts against the subject; entered by hand it needs a second
    regulator's approval, and the subject may object. ``serious``: a veto event and a
    joint-discipline entry. ``publicity_days``: how long it stays in public view after
    it takes effect. ``repair_after_days``: the minimum time before credit repair may be
    applied for (None: not repairable). ``providers_only``: only a lab or certifier
    can be its subject.
    """

    negative: bool = False
    serious: bool = False
    publicity_days: int = 3 * 365
    repair_after_days: int | None = None
    needs_amount: bool = False
    providers_only: bool = False


# Periods follow the SAMR rules on publicising administrative penalties and on credit
# repair (市场监督管理信用修复管理办法): a general penalty stays public three years and
# may be repaired after one; lighter matters after three months; serious violations
# (the joint-discipline list) after one year at the earliest.
KIND_RULES = {
    RecordKind.SAMPLING_PASS: KindRule(publicity_days=3 * 365),
    RecordKind.SAMPLING_FAIL_GENERAL: KindRule(negative=True, publicity_days=365, repair_after_days=90),
    RecordKind.SAMPLING_FAIL_SERIOUS: KindRule(negative=True, serious=True, publicity_days=3 * 365, repair_after_days=365),
    RecordKind.PENALTY: KindRule(negative=True, publicity_days=3 * 365, repair_after_days=365, needs_amount=True),
    RecordKind.COMPLAINT: KindRule(negative=True, publicity_days=365, repair_after_days=90),
    RecordKind.RECALL_VOLUNTARY: KindRule(publicity_days=365),
    RecordKind.RECALL_ORDERED: KindRule(negative=True, publicity_days=365, repair_after_days=180),
    RecordKind.CERT_GAINED: KindRule(publicity_days=3 * 365),
    RecordKind.CERT_SUSPENDED: KindRule(negative=True, publicity_days=365, repair_after_days=90),
    RecordKind.CERT_REVOKED: KindRule(negative=True, publicity_days=3 * 365, repair_after_days=365),
    RecordKind.AWARD_NATIONAL: KindRule(publicity_days=5 * 365),
    RecordKind.AWARD_PROVINCIAL: KindRule(publicity_days=5 * 365),
    RecordKind.AWARD_CITY: KindRule(publicity_days=5 * 365),
    RecordKind.AWARD_NOMINATION: KindRule(publicity_days=3 * 365),
    RecordKind.QUALITY_COMMITMENT: KindRule(publicity_days=3 * 365),
    RecordKind.STANDARD_FORERUNNER: KindRule(publicity_days=3 * 365),
    RecordKind.FALSE_TEST_DATA: KindRule(negative=True, serious=True, publicity_days=3 * 365, repair_after_days=365, providers_only=True),
    RecordKind.FALSE_CERTIFICATION: KindRule(negative=True, serious=True, publicity_days=3 * 365, repair_after_days=365, providers_only=True),
}

NEGATIVE_KINDS = frozenset(k for k, r in KIND_RULES.items() if r.negative)
SERIOUS_KINDS = frozenset(k for k, r in KIND_RULES.items() if r.serious)
FAILED_SAMPLING_KINDS = frozenset({RecordKind.SAMPLING_FAIL_GENERAL, RecordKind.SAMPLING_FAIL_SERIOUS})
# Supervision sampling results, passed or failed: the inspection history.
SAMPLING_KINDS = (RecordKind.SAMPLING_PASS, RecordKind.SAMPLING_FAIL_GENERAL, RecordKind.SAMPLING_FAIL_SERIOUS)
# Records that count for scoring and the good-standing and joint-discipline lists. A
# record past its publicity period still counts (with time decay); a repaired,
# withdrawn, rejected or not yet approved one does not.
COUNTING_STATUSES = (RecordStatus.ACTIVE, RecordStatus.OBJECTED, RecordStatus.EXPIRED)
# Records the public may see (on the credit code page, in the archive's public view).
PUBLIC_STATUSES = (RecordStatus.ACTIVE, RecordStatus.OBJECTED)

OBJECTION_DAYS = 15  # the enterprise may object within 15 days of being notified


def rule(kind):
    return KIND_RULES[RecordKind(kind)]
