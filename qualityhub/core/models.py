"""Models every domain app shares: timestamps, the audit trail, import jobs, worker
heartbeats."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class AuditedModel(TimeStampedModel):
    """A regulated record: every create, update and delete is kept in the audit trail.

    The trail is written by ``qualityhub.core.audit`` from model signals, so no view or
    service writes audit rows itself. Field values as loaded are remembered so an
    update records only what changed, with before and after values.
    """

    audit_exclude = ("created_at", "updated_at")

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._audit_loaded = dict(zip(field_names, values))
        return instance


class AuditAction(models.TextChoices):
    CREATE = "create", _("新建")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")


class AuditEntry(models.Model):
    """Who changed a regulated record, when, from which organisation, and how."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    action = models.CharField(max_length=10, choices=AuditAction.choices)
    changes = models.JSONField(default=dict, help_text="{field: [before, after]}")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    via = models.CharField(max_length=20, blank=True, help_text="web, api, import, task, system")
    request_id = models.CharField(max_length=36, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-created_at"], name="audit_object_idx")]

    def __str__(self):
        return f"{self.get_action_display()} {self.object_repr}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    VALIDATING = "validating", _("校验中")
    COMMITTING = "committing", _("写入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("校验未通过")
    ERROR = "error", _("处理出错")


class ImportJob(TimeStampedModel):
    """One uploaded spreadsheet and what became of it.

    A job either commits every row or none (status ``failed`` keeps the row errors);
    the upload stays on disk so an interrupted job can be resumed from the history.
    """

    spec = models.CharField(_("导入类型"), max_length=50, db_index=True)
    file = models.FileField(upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=255)
    file_size = models.PositiveBigIntegerField(default=0)
    status = models.CharField(_("状态"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="[{row, column, value, message}]")
    error_count = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    organisation = models.ForeignKey("accounts.Organisation", null=True, on_delete=models.SET_NULL, related_name="+")
    in_background = models.BooleanField(default=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="import_org_idx")]

    def __str__(self):
        return f"{self.spec} {self.original_name}"

    @property
    def is_finished(self):
        return self.status in {ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.ERROR}

    @property
    def percent(self):
        if self.status == ImportStatus.DONE:
            return 100
        if not self.total_rows:
            return 0
        # Validation is most of the work; the single commit transaction is the last 10%.
        share = 90 if self.status != ImportStatus.COMMITTING else 95
        return min(share, int(self.processed_rows * 90 / self.total_rows))


class WorkerHeartbeat(models.Model):
    """Written every few seconds by each running task worker; /healthz reads it."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return self.worker_id


class Notification(models.Model):
    """A message to an organisation's people: a record awaiting approval, a record
    that concerns them, a class change. Addressed to the organisation (everyone acting
    for it sees it) or to one user."""

    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("接收机构"), on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [models.Index(fields=["organisation", "-id"], name="notification_org_idx")]

    def __str__(self):
        return self.title
