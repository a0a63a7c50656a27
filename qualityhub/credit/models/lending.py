"""Credit reports for lenders: an enterprise's consent to a bank, the reports issued
under it (each with a public verification number) and the log of every access."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qualityhub.core.models import AuditedModel
from qualityhub.core.scoping import ScopeRule


class ReportKind(models.TextChoices):
    # basic: public records, honours and the supervision sampling history; full: also
    # the good-standing tier, and the risk class if the enterprise chose to share it.
    BASIC = "basic", _("基础版（信用记录、荣誉、抽查历史）")
    FULL = "full", _("完整版（另含良好名单档次，可选风险分类）")


class AccessAction(models.TextChoices):
    VIEW = "view", _("在线查看")
    DOWNLOAD = "download", _("下载")


class LenderConsent(AuditedModel):
    """An enterprise lets one bank read its quality credit report until a date.

    Active means not revoked and ``valid_until`` not yet passed, computed when read
    (no job flips a flag at midnight). Only the enterprise sees and changes its
    consents; the bank reads the active ones addressed to it; regulators have no part.
    """

    enterprise = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("授权企业"), on_delete=models.CASCADE, related_name="lender_consents"
    )
    bank = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("被授权银行"), on_delete=models.PROTECT, related_name="consents_received"
    )
    report_kind = models.CharField(_("报告类型"), max_length=10, choices=ReportKind.choices, default=ReportKind.BASIC)
    share_risk_class = models.BooleanField(_("同意提供风险分类"), default=False)
    valid_until = models.DateField(_("授权截止日期"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("授权人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("撤回人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    scope = ScopeRule(organisation_path="enterprise", regulator_can_view=False, regulator_can_change=False)

    class Meta:
        verbose_name = _("贷款信用报告授权")
        verbose_name_plural = _("贷款信用报告授权")
        indexes = [
            models.Index(fields=["bank", "valid_until", "-id"], name="consent_bank_idx", condition=Q(revoked_at__isnull=True)),
            models.Index(fields=["enterprise", "-id"], name="consent_enterprise_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(share_risk_class=False) | Q(report_kind="full"), name="consent_risk_class_full_only"
            ),
        ]

    def __str__(self):
        return f"{self.enterprise_id} → {self.bank_id}"

    def is_active(self, today):
        return self.revoked_at is None and self.valid_until >= today


class CreditReport(models.Model):
    """One issued report: what it showed (``snapshot``), its SHA-256 over the canonical
    JSON of that snapshot, and a random verification number anyone may check."""

    number = models.CharField(_("核验编号"), max_length=19, unique=True)
    consent = models.ForeignKey(LenderConsent, verbose_name=_("依据的授权"), on_delete=models.PROTECT, related_name="reports")
    enterprise = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="+"
    )
    bank = models.ForeignKey("accounts.Organisation", verbose_name=_("银行"), on_delete=models.PROTECT, related_name="+")
    issued_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("出具对象"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(_("出具时间"))
    content_hash = models.CharField(_("内容摘要（SHA-256）"), max_length=64)
    snapshot = models.JSONField(_("报告内容"))

    scope = ScopeRule(organisation_path="enterprise", regulator_can_view=False, regulator_can_change=False)

    class Meta:
        verbose_name = _("贷款信用报告")
        verbose_name_plural = _("贷款信用报告")

    def __str__(self):
        return self.number


class ReportAccess(models.Model):
    """Who at which bank opened or downloaded which report, when and from where. Shown
    to the enterprise."""

    enterprise = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    bank = models.ForeignKey("accounts.Organisation", verbose_name=_("银行"), on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("查询人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    consent = models.ForeignKey(LenderConsent, verbose_name=_("依据的授权"), on_delete=models.PROTECT, related_name="accesses")
    report = models.ForeignKey(CreditReport, verbose_name=_("报告"), on_delete=models.PROTECT, related_name="accesses")
    action = models.CharField(_("操作"), max_length=10, choices=AccessAction.choices)
    at = models.DateTimeField(_("时间"))
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)

    scope = ScopeRule(organisation_path="enterprise", regulator_can_view=False, regulator_can_change=False)

    class Meta:
        verbose_name = _("报告查询记录")
        verbose_name_plural = _("报告查询记录")
        indexes = [models.Index(fields=["enterprise", "-at", "-id"], name="report_access_ent_idx")]

    def __str__(self):
        return f"{self.report_id} {self.action}"
