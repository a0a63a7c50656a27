"""The product quality credit code: an unguessable identifier printed as a QR code on a
product (or its label), opening the public page ``/q/<code>``.

Codes are issued singly or in batches (one label per item); an enterprise or a
regulator suspends or revokes them with a reason shown to whoever scans them. Scan
statistics are counted in the cache on the hot path and flushed here periodically
(credit/code_scans.py), so a scan never writes a row.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qualityhub.core.models import AuditedModel
from qualityhub.core.scoping import ScopeRule


class CodeStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    SUSPENDED = "suspended", _("已暂停")
    REVOKED = "revoked", _("已注销")


class CodeBatch(AuditedModel):
    """Codes issued together for one product, printed as one label sheet."""

    enterprise = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("生产企业"), on_delete=models.CASCADE, related_name="+"
    )
    product = models.ForeignKey(
        "registry.Product", verbose_name=_("产品"), on_delete=models.CASCADE, related_name="credit_code_batches"
    )
    quantity = models.PositiveIntegerField(_("数量"))
    note = models.CharField(_("批次说明"), max_length=120, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("赋码人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope = ScopeRule(organisation_path="enterprise")

    class Meta:
        verbose_name = _("赋码批次")
        verbose_name_plural = _("赋码批次")
        indexes = [models.Index(fields=["product", "-id"], name="code_batch_product_idx")]

    def __str__(self):
        return f"{self.product_id} #{self.pk}"


class CreditCode(AuditedModel):
    """One product quality credit code.

    ``code`` is 16 base32 characters from ``secrets`` (80 random bits): it cannot be
    guessed or enumerated, so a valid code proves the label came from the maker's
    issue. Revoked is final; a suspended code can be reinstated, but a code a
    regulator suspended only by a regulator.
    """

    code = models.CharField(_("信用码"), max_length=24, unique=True)
    enterprise = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("生产企业"), on_delete=models.CASCADE, related_name="credit_codes"
    )
    product = models.ForeignKey(
        "registry.Product", verbose_name=_("产品"), on_delete=models.CASCADE, related_name="credit_codes"
    )
    batch = models.ForeignKey(
        CodeBatch, verbose_name=_("赋码批次"), null=True, blank=True, on_delete=models.CASCADE, related_name="codes"
    )
    status = models.CharField(_("状态"), max_length=10, choices=CodeStatus.choices, default=CodeStatus.ACTIVE)
    status_reason = models.CharField(_("状态说明"), max_length=200, blank=True)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("状态变更人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    status_changed_org = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("状态变更机构"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("赋码人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Scan statistics, written only by the periodic flush (never per scan).
    scan_count = models.PositiveBigIntegerField(_("扫码次数"), default=0)
    first_scanned_at = models.DateTimeField(_("首次扫码时间"), null=True, blank=True)
    copy_flagged_at = models.DateTimeField(_("疑似复制时间"), null=True, blank=True)

    audit_exclude = ("created_at", "updated_at", "scan_count", "first_scanned_at", "copy_flagged_at")
    scope = ScopeRule(organisation_path="enterprise")

    class Meta:
        verbose_name = _("产品质量信用码")
        verbose_name_plural = _("产品质量信用码")
        indexes = [
            models.Index(fields=["product", "-id"], name="credit_code_product_idx"),
            models.Index(fields=["enterprise", "status"], name="credit_code_enterprise_idx"),
            models.Index(fields=["batch"], name="credit_code_batch_idx"),
        ]

    def __str__(self):
        return self.code

    @property
    def is_active(self):
        return self.status == CodeStatus.ACTIVE


class CodeReport(models.Model):
    """A problem a consumer reports from the code page (fake, quality problem …). The
    contact is for the maker and the regulators only, never shown publicly."""

    class Category(models.TextChoices):
        COUNTERFEIT = "counterfeit", _("疑似假冒")
        QUALITY = "quality", _("质量问题")
        LABEL = "label", _("标签或信息不符")
        OTHER = "other", _("其他")

    code = models.ForeignKey(CreditCode, verbose_name=_("信用码"), on_delete=models.CASCADE, related_name="reports")
    enterprise = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    category = models.CharField(_("问题类型"), max_length=12, choices=Category.choices)
    description = models.TextField(_("问题描述"), max_length=1000)
    contact = models.CharField(_("联系方式"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    scope = ScopeRule(organisation_path="enterprise", regulator_can_change=False)

    class Meta:
        verbose_name = _("扫码问题反映")
        verbose_name_plural = _("扫码问题反映")
        indexes = [models.Index(fields=["enterprise", "-id"], name="code_report_enterprise_idx")]

    def __str__(self):
        return f"{self.code_id} {self.get_category_display()}"

