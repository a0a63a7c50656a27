"""Running an import job: upload -> checks -> row validation -> one commit.

The same function runs inside the request for small files and in the task worker
for large ones, so both paths behave identically.
"""

import logging
import os
import time

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qualityhub.core.audit import acting_as
from qualityhub.core.imports.base import get_spec
from qualityhub.core.imports.readers import FileRejected, check_upload, read_rows
from qualityhub.core.models import ImportJob, ImportStatus

logger = logging.getLogger(__name__)

PROGRESS_EVERY_SECONDS = 0.5


class ImportRejected(Exception):
    pass


def import_job_create(*, actor, spec_key, uploaded_file):
    """Check an upload and store it as a queued job. Small files run at once; large
    ones are handed to the task worker (after this transaction commits)."""
    spec = get_spec(spec_key)
    if spec is None or not spec.allowed(actor):
        raise ImportRejected(_("无权导入此类数据。"))
    head = uploaded_file.read(8)
    uploaded_file.seek(0)
    try:
        kind = check_upload(uploaded_file.name, uploaded_file.size, head)
    except FileRejected as exc:
        raise ImportRejected(str(exc))
    job = ImportJob.objects.create(
        spec=spec.key,
        file=uploaded_file,
        original_name=os.path.basename(uploaded_file.name)[:255],
        file_size=uploaded_file.size,
        user=actor.user if getattr(actor.user, "pk", None) else None,
        organisation=actor.organisation,
    )
    try:
        rows = read_rows(job.file.path, kind)
    except FileRejected as exc:
        _finish(job, ImportStatus.ERROR, message=str(exc))
        return job
    job.total_rows = max(0, len(rows) - 1)
    job.in_background = job.total_rows > settings.IMPORT_BACKGROUND_THRESHOLD
    job.save(update_fields=["total_rows", "in_background", "updated_at"])
    if job.in_background:
        from qualityhub.core.tasks import run_import

        transaction.on_commit(lambda: run_import.enqueue(job_id=job.pk))
    else:
        import_job_run(job_id=job.pk, actor=actor, rows=rows)
        job.refresh_from_db()
    return job


# A running job touches ``updated_at`` at least every PROGRESS_EVERY_SECONDS while it
# validates; one untouched for this long has lost its worker.
RESUME_AFTER = timezone.timedelta(minutes=2)


def import_job_can_resume(job):
    return not job.is_finished and job.updated_at < timezone.now() - RESUME_AFTER


def import_job_resume(*, actor, job):
    """Queue an unfinished job again (its worker stopped). Safe: nothing was committed
    unless the job finished, and unchanged rows are skipped.

    Only a stale job is queued again, with a conditional UPDATE: a job still being
    worked on (or a second click) must not start a second run of the same file."""
    unfinished = [ImportStatus.QUEUED, ImportStatus.VALIDATING, ImportStatus.COMMITTING]
    claimed = ImportJob.objects.filter(
        pk=job.pk, status__in=unfinished, updated_at__lt=timezone.now() - RESUME_AFTER
    ).update(status=ImportStatus.QUEUED, processed_rows=0, updated_at=timezone.now())
    if not claimed:
        return job
    from qualityhub.core.tasks import run_import

    transaction.on_commit(lambda: run_import.enqueue(job_id=job.pk))
    return job


def _finish(job, status, **fields):
    stored = job.file.name
    fields.update(status=status, finished_at=timezone.now(), updated_at=timezone.now(), file="")
    ImportJob.objects.filter(pk=job.pk).update(**fields)
    for key, value in fields.items():
        setattr(job, key, value)
    # A finished job is never read again (its errors are kept on the job), and the
    # uploads hold other organisations' business data: do not keep them on disk.
    if stored:
        transaction.on_commit(lambda: default_storage.delete(stored))


def _file_kind(job):
    return "xlsx" if job.original_name.lower().endswith(".xlsx") else "csv"


def _row_dict(spec, header_index, row):
    """The cells of the columns the file has; columns it leaves out are absent."""
    data = {}
    for column in spec.columns:
        index = header_index.get(column.header)
        if index is not None:
            data[column.field] = row[index].strip() if index < len(row) else ""
    return data


def _fill_absent(spec, data, existing):
    """A column the file leaves out says nothing about that field: a stored object
    keeps its value (a file of names and codes must not clear every other field),
    a new one gets a blank cell."""
    current = spec.current_values(existing) if existing is not None else {}
    for column in spec.columns:
        if column.field not in data:
            data[column.field] = current.get(column.field, "")
    return data


def check_headers(spec, header_row):
    """Errors for missing required and unknown columns (row 1)."""
    errors = []
    headers = [h.strip().rstrip("*").strip() for h in header_row]
    known = set(spec.headers)
    seen = set()
    for position, header in enumerate(headers, start=1):
        if not header:
            continue
        if header not in known:
            errors.append({"row": 1, "column": header, "value": header, "message": _("无法识别的列“%(h)s”，请使用下载的模板。") % {"h": header}})
        elif header in seen:
            errors.append({"row": 1, "column": header, "value": header, "message": _("列“%(h)s”重复出现。") % {"h": header}})
        seen.add(header)
    for column in spec.columns:
        if column.required and column.header not in seen:
            errors.append({"row": 1, "column": column.header, "value": "", "message": _("缺少必填列“%(h)s”。") % {"h": column.header}})
    return errors, {h: i for i, h in enumerate(headers) if h}


def import_job_run(*, job_id, actor=None, rows=None):
    """Validate every row, then commit all of them in one transaction or none."""
    job = ImportJob.objects.select_related("user", "organisation").get(pk=job_id)
    if job.is_finished:
        return job
    spec = get_spec(job.spec)
    if actor is None:
        from qualityhub.core.scoping import actor_for

        actor = actor_for(job.user, job.organisation, via="import")
    # Claim the job with a conditional UPDATE: a task delivered twice, or a resumed job
    # whose first run is still going, must not run the same file twice at once.
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.QUEUED).update(
        status=ImportStatus.VALIDATING, started_at=timezone.now(), processed_rows=0, updated_at=timezone.now()
    )
    if not claimed:
        logger.info("import job %s is already being run; skipped", job.pk)
        return job
    try:
        if rows is None:
            rows = read_rows(job.file.path, _file_kind(job))
    except FileRejected as exc:
        _finish(job, ImportStatus.ERROR, message=str(exc))
        return job
    if not rows:
        _finish(job, ImportStatus.FAILED, errors=[{"row": 1, "column": "", "value": "", "message": _("文件没有表头和数据。")}], error_count=1)
        return job

    errors, header_index = check_headers(spec, rows[0])
    if errors:
        _finish(job, ImportStatus.FAILED, errors=errors, error_count=len(errors), total_rows=len(rows) - 1)
        return job
    if len(rows) == 1:
        _finish(job, ImportStatus.FAILED, errors=[{"row": 2, "column": "", "value": "", "message": _("文件只有表头，没有数据行。")}], error_count=1)
        return job

    spec.prepare(actor)
    validated = []  # (row number, form, existing)
    first_row_for_key = {}
    last_progress = time.monotonic()
    for offset, row in enumerate(rows[1:]):
        row_number = offset + 2  # as the spreadsheet numbers it: the header is row 1
        if not any(cell.strip() for cell in row):
            continue
        data = _row_dict(spec, header_index, row)
        try:
            key = spec.natural_key(data, actor)
        except Exception:
            key = None
        existing = spec.find_existing(actor, key) if key else None
        data = _fill_absent(spec, data, existing)
        form = spec.form_for(actor, data, existing)
        if not form.is_valid():
            for field, messages in form.errors.items():
                column = spec.column_for_field(field)
                for message in messages:
                    errors.append(
                        {
                            "row": row_number,
                            "column": column.header if column else "",
                            "value": data.get(field, "") if column else "",
                            "message": str(message),
                        }
                    )
        elif key in first_row_for_key:
            errors.append(
                {
                    "row": row_number,
                    "column": str(spec.natural_key_label),  # a lazy label is not JSON
                    "value": " / ".join(str(k) for k in key),
                    "message": _("与第 %(row)d 行重复（%(label)s相同）。") % {"row": first_row_for_key[key], "label": spec.natural_key_label},
                }
            )
        else:
            first_row_for_key[key] = row_number
            validated.append((row_number, form, existing))
        if time.monotonic() - last_progress > PROGRESS_EVERY_SECONDS:
            ImportJob.objects.filter(pk=job.pk).update(processed_rows=offset + 1, error_count=len(errors), updated_at=timezone.now())
            last_progress = time.monotonic()

    if errors:
        _finish(job, ImportStatus.FAILED, errors=errors, error_count=len(errors), processed_rows=len(rows) - 1)
        return job

    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.COMMITTING, processed_rows=len(rows) - 1, updated_at=timezone.now())
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    try:
        with transaction.atomic(), acting_as(actor, via="import"):
            for row_number, form, existing in validated:
                counts[spec.save(actor, form, existing)] += 1
    except Exception as exc:  # the transaction rolled back: nothing of this file is stored
        logger.exception("import job %s failed while committing", job.pk)
        _finish(job, ImportStatus.ERROR, message=_("写入时出错，已全部回滚，未导入任何数据：%(reason)s") % {"reason": str(exc)[:300]})
        return job
    _finish(
        job,
        ImportStatus.DONE,
        created_count=counts["created"],
        updated_count=counts["updated"],
        unchanged_count=counts["unchanged"],
        error_count=0,
        errors=[],
    )
    return job


def import_error_sheet(job):
    headers = [_("行号"), _("列"), _("单元格内容"), _("错误原因")]
    rows = ([e.get("row"), e.get("column"), e.get("value"), e.get("message")] for e in job.errors)
    return (_("错误明细"), headers, rows, [8, 20, 30, 70])


def import_template_sheets(spec):
    # The data sheet holds headers only (an example row left in would be imported);
    # examples and rules go on the second sheet.
    headers = [c.header + ("*" if c.required else "") for c in spec.columns]
    notes = [[c.header, _("必填") if c.required else _("选填"), str(c.help), c.example] for c in spec.columns]
    return [
        (str(spec.title), headers, [], [c.width for c in spec.columns]),
        (_("填写说明"), [_("列"), _("是否必填"), _("说明"), _("示例")], notes, [20, 10, 70, 30]),
    ]
