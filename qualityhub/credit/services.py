"""Writes to the credit archive.

``record_submit`` is the one way a credit record enters the archive: the record form,
the spreadsheet import, the API and other modules (inspections, complaints, recalls)
all call it. A negative record entered by a person (page or spreadsheet) waits for a
second regulator (four eyes); one reported by a system (the API, another module) takes
effect at once.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qualityhub.core.attachments import check_attachment
from qualityhub.core.audit import write_service
from qualityhub.core.notifications import notify
from qualityhub.core.scoping import within_jurisdiction
from qualityhub.core.workdays import deadline_after
from qualityhub.credit.choices import (
    NEGATIVE_KINDS,
    OBJECTION_DAYS,
    DecisionStatus,
    EvidencePurpose,
    RecordChannel,
    RecordStatus,
    rule,
)
from qualityhub.credit.models import CreditRecord, Evidence, Objection, RepairApplication
from qualityhub.credit.signals import record_changed

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
HUMAN_CHANNELS = (RecordChannel.WEB, RecordChannel.IMPORT)


def _today():
    return timezone.localdate()


def _changed(subject_ids):
    ids = sorted(set(subject_ids))
    transaction.on_commit(lambda: record_changed.send(sender=CreditRecord, subject_ids=ids))


# Each rule below is written once, as a "refusal": the reason an action may not be
# taken, or None. The pages ask whether to offer the action (``can_*``, ``*_open``);
# the services raise the same refusal.

def _regulator_refusal(actor, subject):
    """Only a regulator whose jurisdiction covers the subject (or a platform
    administrator) may decide on its records."""
    if actor.is_platform_admin:
        return None
    if not actor.is_regulator or not within_jurisdiction(
        actor.jurisdiction, city_id=subject.city_id, region_id=subject.region_id
    ):
        return PermissionDenied(_("该信用主体不在本部门的管辖范围内。"))
    return None


def _refuse(refusal):
    if refusal is not None:
        raise refusal


def _require_regulator_over(actor, subject):
    _refuse(_regulator_refusal(actor, subject))


def _has_pending(related):
    """Whether an objection or repair application of the record is pending; reads the
    prefetched rows when the record page loaded them."""
    return any(item.status == DecisionStatus.PENDING for item in related.all())


def _notify_department(record, *, title, body):
    """Tell the department that entered the record (a review, an objection, a repair
    application or a refusal concerns it)."""
    if record.entered_org_id:
        notify(organisation=record.entered_org, title=title, body=body, url=_record_url(record))


def _attach(*, actor, record, files, purpose, objection=None, repair=None):
    for uploaded in files or ():
        content_type = check_attachment(uploaded)
        sha = Evidence.digest(uploaded)
        evidence = Evidence(
            record=record, objection=objection, repair=repair, purpose=purpose, original_name=uploaded.name[:255],
            content_type=content_type, size=uploaded.size, sha256=sha, uploaded_by=getattr(actor, "user", None),
        )
        evidence.file.save(sha, uploaded, save=False)
        evidence.save()


def _record_url(record):
    return reverse("credit:record-detail", args=[record.pk])


def _take_effect(record, *, today=None):
    """Put the record in effect (and save it): its publicity period and, for a
    negative record, the subject's objection deadline start today."""
    today = today or _today()
    kind_rule = rule(record.kind)
    record.status = RecordStatus.ACTIVE
    record.effective_on = today
    record.publicity_until = today + datetime.timedelta(days=kind_rule.publicity_days)
    record.objection_deadline = deadline_after(today, OBJECTION_DAYS) if kind_rule.negative else None
    record.save()
    if kind_rule.negative:
        notify(
            organisation=record.subject,
            title=_("新的信用记录：%(kind)s") % {"kind": record.get_kind_display()},
            body=_("%(department)s（%(reference)s）：%(summary)s。如有异议，请于 %(deadline)s 前提出。")
            % {
                "department": record.source_department, "reference": record.reference, "summary": record.summary,
                "deadline": record.objection_deadline.isoformat(),
            },
            url=_record_url(record),
        )
    else:
        notify(
            organisation=record.subject,
            title=_("新的信用记录：%(kind)s") % {"kind": record.get_kind_display()},
            body=record.summary,
            url=_record_url(record),
        )


@write_service
def record_submit(*, actor, data, channel, files=(), source_module="", source_key=""):
    """Put one fact into the archive from validated ``CreditRecordForm`` data.

    Returns (record, outcome). A fact already reported (same source department and
    reference, or the same module key) is updated in place when it is still pending,
    and left alone otherwise, so re-importing a file or re-sending an API call is
    harmless.
    """
    subject = data["subject"]
    values = {
        "subject": subject,
        "product": data.get("product"),
        "kind": data["kind"],
        "fact_date": data["fact_date"],
        "source_department": data["source_department"].strip(),
        "reference": data["reference"].strip(),
        "summary": data["summary"].strip(),
        "penalty_amount": data.get("penalty_amount"),
        "internal_note": (data.get("internal_note") or "").strip(),
    }
    existing = None
    if source_module:
        existing = CreditRecord.objects.select_for_update().filter(source_module=source_module, source_key=source_key).first()
    if existing is None:
        existing = (
            CreditRecord.objects.select_for_update()
            .filter(source_department=values["source_department"], reference=values["reference"])
            .first()
        )
    if existing is not None:
        if existing.subject_id != subject.pk:
            raise ValidationError({"reference": _("该来源部门的文书编号已用于另一信用主体的记录。")})
        if existing.status != RecordStatus.PENDING:
            return existing, UNCHANGED
        changed = False
        for field, value in values.items():
            if getattr(existing, field) != value:
                setattr(existing, field, value)
                changed = True
        if changed:
            existing.save()
        _attach(actor=actor, record=existing, files=files, purpose=EvidencePurpose.RECORD)
        return existing, (UPDATED if changed or files else UNCHANGED)

    record = CreditRecord(
        **values,
        channel=channel,
        source_module=source_module,
        source_key=source_key,
        entered_by=getattr(actor, "user", None) if getattr(actor, "user", None) and actor.user.pk else None,
        entered_org=actor.organisation,
    )
    needs_second_look = values["kind"] in NEGATIVE_KINDS and channel in HUMAN_CHANNELS
    if needs_second_look:
        record.status = RecordStatus.PENDING
        record.save()
        _notify_department(
            record,
            title=_("待复核的信用记录：%(subject)s") % {"subject": subject.name},
            body=_("%(kind)s（%(reference)s）需要另一名工作人员复核后生效。")
            % {"kind": record.get_kind_display(), "reference": record.reference},
        )
    else:
        _take_effect(record)
        _changed([subject.pk])
    _attach(actor=actor, record=record, files=files, purpose=EvidencePurpose.RECORD)
    return record, CREATED


def _review_refusal(actor, record):
    """Four eyes: a pending record is reviewed by a regulator over the subject who did
    not enter it."""
    if record.status != RecordStatus.PENDING:
        return ValidationError(_("该记录已处理，无需复核。"))
    if record.entered_by_id is not None and record.entered_by_id == getattr(actor.user, "pk", None):
        return PermissionDenied(_("录入人不能复核自己录入的记录，请由另一名工作人员复核。"))
    return _regulator_refusal(actor, record.subject)


def can_review(actor, record):
    return _review_refusal(actor, record) is None


@write_service
def record_approve(*, actor, record):
    """The second regulator confirms a pending negative record: it takes effect and
    the subject is notified, with its objection deadline."""
    record = CreditRecord.objects.select_for_update().select_related("subject").get(pk=record.pk)
    _refuse(_review_refusal(actor, record))
    record.approved_by = actor.user
    record.approved_at = timezone.now()
    _take_effect(record)
    _changed([record.subject_id])
    return record


@write_service
def record_reject(*, actor, record, reason):
    record = CreditRecord.objects.select_for_update().select_related("subject").get(pk=record.pk)
    _refuse(_review_refusal(actor, record))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写退回理由。")})
    record.status = RecordStatus.REJECTED
    record.approved_by = actor.user
    record.approved_at = timezone.now()
    record.rejection_reason = reason
    record.save()
    _notify_department(record, title=_("信用记录复核未通过：%(reference)s") % {"reference": record.reference}, body=reason)
    return record


WITHDRAWABLE_STATUSES = (RecordStatus.ACTIVE, RecordStatus.OBJECTED, RecordStatus.EXPIRED, RecordStatus.PENDING)


def _withdraw_refusal(actor, record):
    refusal = _regulator_refusal(actor, record.subject)
    if refusal is None and record.status not in WITHDRAWABLE_STATUSES:
        refusal = ValidationError(_("该记录当前状态不能撤销。"))
    return refusal


def can_withdraw(actor, record):
    return _withdraw_refusal(actor, record) is None


def can_decide(actor, record):
    """Whether the actor decides the record's objections and repair applications."""
    return _regulator_refusal(actor, record.subject) is None


@write_service
def record_withdraw(*, actor, record, reason):
    """A regulator withdraws a record entered in error; it stays in the archive with
    its history but stops counting and leaves public view."""
    record = CreditRecord.objects.select_for_update().select_related("subject").get(pk=record.pk)
    _refuse(_withdraw_refusal(actor, record))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写撤销理由。")})
    was_counting = record.status != RecordStatus.PENDING
    record.status = RecordStatus.WITHDRAWN
    record.closed_on = _today()
    record.internal_note = (record.internal_note + "\n" if record.internal_note else "") + _("撤销理由：") + reason
    record.save()
    notify(
        organisation=record.subject,
        title=_("信用记录已撤销：%(reference)s") % {"reference": record.reference},
        body=reason,
        url=_record_url(record),
    )
    if was_counting:
        _changed([record.subject_id])
    return record


def _is_subject(actor, record):
    return actor.organisation is not None and actor.organisation.pk == record.subject_id


def _require_subject(actor, record):
    if not _is_subject(actor, record):
        raise PermissionDenied(_("只有信用主体本身可以提出申请。"))


def _objection_refusal(record, today):
    """The subject may object to a negative record in effect, within the deadline,
    with no objection pending."""
    if not record.is_negative or record.status != RecordStatus.ACTIVE:
        return ValidationError(_("该记录当前不能提出异议。"))
    if record.objection_deadline is None or today > record.objection_deadline:
        return ValidationError(
            _("异议期已于 %(deadline)s 届满，不能再提出异议。")
            % {"deadline": record.objection_deadline.isoformat() if record.objection_deadline else "—"}
        )
    if _has_pending(record.objections):
        return ValidationError(_("该记录已有待处理的异议。"))
    return None


def objection_open(record, *, today=None):
    return _objection_refusal(record, today or _today()) is None


def can_object(actor, record):
    return _is_subject(actor, record) and objection_open(record)


@write_service
def objection_lodge(*, actor, record, reason, files=(), today=None):
    record = CreditRecord.objects.select_for_update().select_related("subject").get(pk=record.pk)
    _require_subject(actor, record)
    _refuse(_objection_refusal(record, today or _today()))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写异议理由。")})
    objection = Objection.objects.create(record=record, lodged_by=actor.user, reason=reason)
    _attach(actor=actor, record=record, files=files, purpose=EvidencePurpose.OBJECTION, objection=objection)
    record.status = RecordStatus.OBJECTED
    record.save()
    _notify_department(record, title=_("信用记录异议：%(subject)s") % {"subject": record.subject.name}, body=reason)
    return objection


def _decide(actor, model, item, accept, reason, *, already, reason_required):
    """A regulator over the subject decides a pending objection or repair application,
    with its reasons; returns the decided item (its record and subject loaded)."""
    item = model.objects.select_for_update().select_related("record", "record__subject").get(pk=item.pk)
    _require_regulator_over(actor, item.record.subject)
    if item.status != DecisionStatus.PENDING:
        raise ValidationError(already)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": reason_required})
    item.status = DecisionStatus.ACCEPTED if accept else DecisionStatus.REFUSED
    item.decided_by = actor.user
    item.decided_at = timezone.now()
    item.decision_reason = reason
    item.save()
    return item


@write_service
def objection_decide(*, actor, objection, accept, reason):
    """Accepting an objection withdraws the record; refusing it restores the record."""
    objection = _decide(
        actor, Objection, objection, accept, reason,
        already=_("该异议已处理。"), reason_required=_("请填写处理意见。"),
    )
    record = objection.record
    if accept:
        record.status = RecordStatus.WITHDRAWN
        record.closed_on = _today()
    else:
        record.status = RecordStatus.ACTIVE
    record.save()
    notify(
        organisation=record.subject,
        title=(_("异议已采纳，记录已撤销：%(reference)s") if accept else _("异议不予采纳：%(reference)s"))
        % {"reference": record.reference},
        body=reason,
        url=_record_url(record),
    )
    if accept:
        _changed([record.subject_id])
    return objection


def repair_available_on(record):
    """The first day credit repair may be applied for, or None if the kind cannot be
    repaired or the record is not in effect."""
    days = rule(record.kind).repair_after_days
    if days is None or record.effective_on is None:
        return None
    return record.effective_on + datetime.timedelta(days=days)


def _repair_refusal(record, today):
    """Repair is applied for after the kind's minimum period, for a record in effect
    or past its publicity, with no application pending."""
    available = repair_available_on(record)
    if available is None or record.status not in (RecordStatus.ACTIVE, RecordStatus.EXPIRED):
        return ValidationError(_("该记录不能申请信用修复。"))
    if today < available:
        return ValidationError(_("最短公示期未满，%(date)s 起可申请信用修复。") % {"date": available.isoformat()})
    if _has_pending(record.repairs):
        return ValidationError(_("该记录已有待处理的信用修复申请。"))
    return None


def repair_open(record, *, today=None):
    return _repair_refusal(record, today or _today()) is None


def can_apply_for_repair(actor, record):
    return _is_subject(actor, record) and repair_open(record)


@write_service
def repair_apply(*, actor, record, statement, files=(), today=None):
    record = CreditRecord.objects.select_for_update().select_related("subject").get(pk=record.pk)
    _require_subject(actor, record)
    _refuse(_repair_refusal(record, today or _today()))
    statement = (statement or "").strip()
    if not statement:
        raise ValidationError({"statement": _("请说明整改情况。")})
    if not files:
        raise ValidationError({"files": _("请上传整改证明材料。")})
    application = RepairApplication.objects.create(record=record, applied_by=actor.user, statement=statement)
    _attach(actor=actor, record=record, files=files, purpose=EvidencePurpose.REPAIR, repair=application)
    _notify_department(record, title=_("信用修复申请：%(subject)s") % {"subject": record.subject.name}, body=statement)
    return application


@write_service
def repair_decide(*, actor, application, accept, reason):
    application = _decide(
        actor, RepairApplication, application, accept, reason,
        already=_("该申请已处理。"), reason_required=_("请填写处理意见（不予修复时须说明理由）。"),
    )
    record = application.record
    if accept:
        record.status = RecordStatus.REPAIRED
        record.closed_on = _today()
        record.save()
        _changed([record.subject_id])
    notify(
        organisation=record.subject,
        title=(_("信用修复已完成：%(reference)s") if accept else _("信用修复不予通过：%(reference)s"))
        % {"reference": record.reference},
        body=reason,
        url=_record_url(record),
    )
    return application


def records_expire(*, today=None):
    """Records past their publicity period leave public view: one UPDATE over the
    status index, run daily by the worker. Returns how many expired."""
    today = today or _today()
    with transaction.atomic():
        expiring = CreditRecord.objects.filter(
            status__in=(RecordStatus.ACTIVE, RecordStatus.OBJECTED), publicity_until__lt=today
        )
        count = expiring.update(status=RecordStatus.EXPIRED, updated_at=timezone.now())
        if count:
            # Listeners refresh everything rather than receive a list of every subject.
            transaction.on_commit(lambda: record_changed.send(sender=CreditRecord, subject_ids=None))
    return count
