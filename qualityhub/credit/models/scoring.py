"""Risk classes: each subject's current score and class (for supervision, never
public), the versioned scoring model behind them, the history of class changes, the
full rescoring runs and the inspection share per class."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qualityhub.core.scoping import ScopeRule


class RiskClass(models.TextChoices):
    A = "A", _("A类（低风险）")
    B = "B", _("B类（一般风险）")
    C = "C", _("C类（较高风险）")
    D = "D", _("D类（高风险）")


class EnterpriseScore(models.Model):
    """The subject's latest score under a model version. Visible to regulators over the
    subject and to the subject itself; the public never sees it.

    ``base_class`` is the class the subject's own indicators give, before the
    relationship indicator: "the same legal representative as a D-class enterprise"
    looks at the others' base class, so one D does not spread along a chain.
    """

    # Derived data, upserted a million rows at a time by the rescoring: no database FK
    # check (PostgreSQL locks the organisation row per inserted score, 9-15 s of the
    # first classification at a million). The rescoring only writes subjects read
    # from the organisation table in the same statement; deleting an organisation
    # still deletes its score through Django's CASCADE.
    subject = models.OneToOneField(
        "accounts.Organisation", primary_key=True, on_delete=models.CASCADE, related_name="credit_score",
        verbose_name=_("信用主体"), db_constraint=False,
    )
    score = models.DecimalField(_("风险分值"), max_digits=7, decimal_places=2)
    risk_class = models.CharField(_("风险分类"), max_length=1, choices=RiskClass.choices)
    base_class = models.CharField(_("不计关联关系的分类"), max_length=1, choices=RiskClass.choices, default=RiskClass.A)
    vetoed = models.BooleanField(_("触发否决项"), default=False)
    model_version = models.PositiveIntegerField(_("模型版本"))
    computed_at = models.DateTimeField(_("计算时间"))
    # Copied from the subject by each rescoring, so the dashboard's distributions group
    # one table (GoodStanding does the same).
    city = models.ForeignKey(
        "registry.Region", verbose_name=_("地市"), null=True, blank=True, on_delete=models.DO_NOTHING,
        db_constraint=False, db_index=False, related_name="+",
    )
    industry = models.ForeignKey(
        "registry.Industry", verbose_name=_("行业"), null=True, blank=True, on_delete=models.DO_NOTHING,
        db_constraint=False, db_index=False, related_name="+",
    )

    scope = ScopeRule(organisation_path="subject", regulator_can_change=False)

    class Meta:
        verbose_name = _("信用风险分类")
        verbose_name_plural = _("信用风险分类")
        indexes = [models.Index(fields=["risk_class"], name="score_class_idx")]

    def __str__(self):
        return f"{self.subject_id} {self.risk_class}"


class ScoringModel(models.Model):
    """One version of the scoring model configuration (see credit/scoring_config.py for
    its structure and validation). Saving a change creates a new version; exactly one
    version is active, and every score names the version it was computed under."""

    version = models.PositiveIntegerField(_("版本号"), unique=True)
    config = models.JSONField(_("模型配置"))
    note = models.CharField(_("修订说明"), max_length=200, blank=True)
    is_active = models.BooleanField(_("当前启用"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("信用风险分类模型")
        verbose_name_plural = _("信用风险分类模型")
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="scoring_model_one_active")]

    def __str__(self):
        return f"v{self.version}"


class ClassChange(models.Model):
    """A subject's risk class changed (or was set for the first time: ``from_class``
    empty) under a model version."""

    # An append-only history written a million rows at a time by the first
    # classification: no database FK check (it takes a row lock on the organisation
    # per inserted row, 15 s at a million on PostgreSQL); the subjects come from the
    # organisation table in the same statement, and deleting an organisation still
    # deletes its history through Django's CASCADE. The (subject, -id) index serves
    # every lookup, so no separate index on subject.
    subject = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("信用主体"), on_delete=models.CASCADE, related_name="class_changes",
        db_constraint=False, db_index=False,
    )
    from_class = models.CharField(_("原分类"), max_length=1, choices=RiskClass.choices, blank=True)
    to_class = models.CharField(_("新分类"), max_length=1, choices=RiskClass.choices)
    score = models.DecimalField(_("风险分值"), max_digits=7, decimal_places=2)
    model_version = models.PositiveIntegerField(_("模型版本"))
    changed_at = models.DateTimeField(_("变化时间"))

    scope = ScopeRule(organisation_path="subject", regulator_can_change=False)

    class Meta:
        verbose_name = _("风险分类变化")
        verbose_name_plural = _("风险分类变化")
        indexes = [
            models.Index(fields=["subject", "-id"], name="class_change_subject_idx"),
        ]

    def __str__(self):
        return f"{self.subject_id} {self.from_class}->{self.to_class}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("计算中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class ScoringRun(models.Model):
    """One full rescoring of the province, run by the task worker; the page polls it
    for progress."""

    status = models.CharField(_("状态"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    model_version = models.PositiveIntegerField(_("模型版本"), null=True, blank=True)
    total = models.PositiveIntegerField(_("主体总数"), default=0)
    processed = models.PositiveIntegerField(_("已计算"), default=0)
    changed = models.PositiveIntegerField(_("分类变化数"), default=0)
    message = models.TextField(_("说明"), blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("重新评分任务")
        verbose_name_plural = _("重新评分任务")
        ordering = ["-id"]

    def __str__(self):
        return f"run {self.pk} {self.status}"

    @property
    def is_finished(self):
        return self.status in {RunStatus.DONE, RunStatus.FAILED}

    @property
    def percent(self):
        if self.status == RunStatus.DONE:
            return 100
        if not self.total:
            return 0
        # Scoring the chunks is most of the work; the class changes and the final write
        # are the last 10%.
        return min(95, int(self.processed * 90 / self.total))


class InspectionQuota(models.Model):
    """The share of a class's enterprises to inspect each year, and how often. The
    inspection module reads it through ``credit.scoring.inspection_quota``."""

    risk_class = models.CharField(_("风险分类"), max_length=1, choices=RiskClass.choices, primary_key=True)
    min_percent = models.DecimalField(_("年度抽查比例下限（%）"), max_digits=5, decimal_places=2)
    max_percent = models.DecimalField(_("年度抽查比例上限（%）"), max_digits=5, decimal_places=2)
    times_per_year = models.PositiveSmallIntegerField(_("每年抽查频次"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("分类抽查比例")
        verbose_name_plural = _("分类抽查比例")
        ordering = ["risk_class"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_percent__gte=0) & Q(min_percent__lte=models.F("max_percent")) & Q(max_percent__lte=100),
                name="inspection_quota_range",
            )
        ]

    def __str__(self):
        return f"{self.risk_class} {self.min_percent}-{self.max_percent}%"
