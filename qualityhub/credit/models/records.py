"""Credit records: one evidence-backed, quality-relevant fact about an organisation,
with its objections and credit-repair applications."""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qualityhub.core.models import AuditedModel
from qualityhub.core.scoping import ScopeRule
from qualityhub.credit.choices import (
    NEGATIVE_KINDS,
    PUBLIC_STATUSES,
    DecisionStatus,
    EvidencePurpose,
    RecordChannel,
    RecordKind,
    RecordStatus,
)


class CreditRecord(AuditedModel):
    """A fact in an organisation's quality credit archive.

    ``subject`` is the organisation the fact is about: an enterprise, or a lab or
    certifier for false test data or certification. A negative record entered by hand
    is ``pending`` until a second regulator approves it; from then on the subject is
    notified and may object until ``objection_deadline``.
    """

    subject = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("信用主体"), on_delete=models.PROTECT, related_name="credit_records"
    )
    product = models.ForeignKey(
        "registry.Product", verbose_name=_("涉及产品"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="credit_records",
    )
    kind = models.CharField(_("记录类型"), max_length=30, choices=RecordKind.choices)
    fact_date = models.DateField(_("事实发生日期"))
    source_department = models.CharField(_("来源部门"), max_length=120)
    reference = models.CharField(_("文书编号"), max_length=80)
    summary = models.CharField(_("事实摘要"), max_length=300)
    penalty_amount = models.DecimalField(_("罚没金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    internal_note = models.TextField(_("内部备注"), blank=True, help_text=_("仅监管部门可见，不公开。"))
    status = models.CharField(_("状态"), max_length=12, choices=RecordStatus.choices, default=RecordStatus.PENDING)
    channel = models.CharField(_("报送方式"), max_length=10, choices=RecordChannel.choices, default=RecordChannel.WEB)
    # Set when another module (inspections, complaints, recalls) reports the fact:
    # which module and its own key, so a repeated report finds the same record.
    source_module = models.CharField(_("来源模块"), max_length=30, blank=True)
    source_key = models.CharField(_("来源编号"), max_length=64, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_org = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("录入部门"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("复核人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    rejection_reason = models.TextField(_("退回理由"), blank=True)
    effective_on = models.DateField(_("生效日期"), null=True, blank=True)
    publicity_until = models.DateField(_("公示截止日期"), null=True, blank=True)
    objection_deadline = models.DateField(_("异议截止日期"), null=True, blank=True)
    closed_on = models.DateField(_("修复或撤销日期"), null=True, blank=True)

    scope = ScopeRule(organisation_path="subject", public=Q(status__in=PUBLIC_STATUSES))

    class Meta:
        verbose_name = _("信用记录")
        verbose_name_plural = _("信用记录")
        constraints = [
            models.UniqueConstraint(fields=["source_department", "reference"], name="credit_record_reference_unique"),
            models.UniqueConstraint(
                fields=["source_module", "source_key"], condition=~Q(source_module=""), name="credit_record_source_unique"
            ),
            models.CheckConstraint(condition=Q(penalty_amount__isnull=True) | Q(penalty_amount__gte=0), name="credit_record_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["subject", "kind", "fact_date"], name="credit_record_subject_idx"),
            models.Index(fields=["status", "kind"], name="credit_record_status_idx"),
            models.Index(fields=["kind", "fact_date"], name="credit_record_kind_date_idx"),
            models.Index(fields=["product", "kind"], name="credit_record_product_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.reference}"

    @property
    def is_negative(self):
        return self.kind in NEGATIVE_KINDS


def evidence_path(instance, filename):
    return f"credit/evidence/{instance.sha256[:2]}/{instance.sha256}"


class RegulatorDecision(AuditedModel):
    """What an objection and a repair application share: a regulator over the subject
    decides it once, with reasons (``services._decide``)."""

    status = models.CharField(_("处理状态"), max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("处理人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_reason = models.TextField(_("处理意见"), blank=True)

    class Meta:
        abstract = True


class Objection(RegulatorDecision):
    """The subject's objection to a record, with evidence; a regulator decides it.
    Accepted, the record is withdrawn; refused, it stands."""

    record = models.ForeignKey(CreditRecord, verbose_name=_("信用记录"), on_delete=models.CASCADE, related_name="objections")
    lodged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提出人"), null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(_("异议理由"))

    scope = ScopeRule(organisation_path="record__subject")

    class Meta:
        verbose_name = _("异议申请")
        verbose_name_plural = _("异议申请")
        constraints = [
            models.UniqueConstraint(fields=["record"], condition=Q(status="pending"), name="objection_one_pending"),
        ]
        indexes = [models.Index(fields=["status", "-id"], name="objection_status_idx")]

    def __str__(self):
        return f"{self.record} 异议"


class RepairApplication(RegulatorDecision):
    """A credit-repair application: after the minimum period, the subject shows it has
    rectified; accepted, the record stays in the archive but leaves public view and
    stops counting."""

    record = models.ForeignKey(CreditRecord, verbose_name=_("信用记录"), on_delete=models.CASCADE, related_name="repairs")
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"), null=True, on_delete=models.SET_NULL, related_name="+")
    statement = models.TextField(_("整改情况说明"))

    scope = ScopeRule(organisation_path="record__subject")

    class Meta:
        verbose_name = _("信用修复申请")
        verbose_name_plural = _("信用修复申请")
        constraints = [
            models.UniqueConstraint(fields=["record"], condition=Q(status="pending"), name="repair_one_pending"),
        ]
        indexes = [models.Index(fields=["status", "-id"], name="repair_status_idx")]

    def __str__(self):
        return f"{self.record} 信用修复"


class Evidence(models.Model):
    """A file backing a record, an objection or a repair application. Stored under its
    SHA-256 (the uploaded name is kept only for display); served only to those who may
    see what it backs."""

    record = models.ForeignKey(CreditRecord, on_delete=models.CASCADE, related_name="evidence")
    objection = models.ForeignKey(Objection, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence")
    repair = models.ForeignKey(RepairApplication, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence")
    purpose = models.CharField(_("用途"), max_length=10, choices=EvidencePurpose.choices, default=EvidencePurpose.RECORD)
    file = models.FileField(upload_to=evidence_path)
    original_name = models.CharField(_("文件名"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    scope = ScopeRule(organisation_path="record__subject", regulator_can_change=False)

    class Meta:
        verbose_name = _("证明材料")
        verbose_name_plural = _("证明材料")

    def __str__(self):
        return self.original_name

    @staticmethod
    def digest(uploaded):
        h = hashlib.sha256()
        for chunk in uploaded.chunks():
            h.update(chunk)
        uploaded.seek(0)
        return h.hexdigest()
