"""Risk classes: each subject's current score and class (for supervision, never
public)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from qualityhub.core.scoping import ScopeRule


class RiskClass(models.TextChoices):
    A = "A", _("A类（低风险）")
    B = "B", _("B类（一般风险）")
    C = "C", _("C类（较高风险）")
    D = "D", _("D类（高风险）")


class EnterpriseScore(models.Model):
    """The subject's latest score under a model version. Visible to regulators over the
    subject and to the subject itself; the public never sees it."""

    subject = models.OneToOneField(
        "accounts.Organisation", primary_key=True, on_delete=models.CASCADE, related_name="credit_score",
        verbose_name=_("信用主体"),
    )
    score = models.DecimalField(_("风险分值"), max_digits=7, decimal_places=2)
    risk_class = models.CharField(_("风险分类"), max_length=1, choices=RiskClass.choices)
    model_version = models.PositiveIntegerField(_("模型版本"))
    computed_at = models.DateTimeField(_("计算时间"))

    scope = ScopeRule(organisation_path="subject", regulator_can_change=False)

    class Meta:
        verbose_name = _("信用风险分类")
        verbose_name_plural = _("信用风险分类")
        indexes = [models.Index(fields=["risk_class"], name="score_class_idx")]

    def __str__(self):
        return f"{self.subject_id} {self.risk_class}"
