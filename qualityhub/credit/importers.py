"""Spreadsheet import of credit records (natural key: the source department and the
document number). Each row goes through ``record_submit`` like a record typed on the
page, so negative rows wait for a second regulator."""

from django.utils.translation import gettext_lazy as _

from qualityhub.core.imports import Column, ImportSpec, register
from qualityhub.credit.choices import RecordChannel
from qualityhub.credit.forms import CreditRecordForm
from qualityhub.credit.models import CreditRecord
from qualityhub.credit.selectors import record_list
from qualityhub.credit.services import record_submit


class CreditRecordImport(ImportSpec):
    key = "credit-records"
    title = _("信用记录")
    natural_key_label = _("来源部门和文书编号")
    columns = (
        Column("subject_uscc", "信用主体统一社会信用代码", required=True, example="91440300MA5FUW2X3B", width=24),
        Column("kind", "记录类型", required=True, help=_("如 监督抽查合格、监督抽查不合格（一般不合格）、行政处罚"), example="监督抽查合格", width=28),
        Column("fact_date", "事实发生日期", required=True, help=_("如 2026-03-01"), example="2026-03-01"),
        Column("source_department", "来源部门", required=True, example="深圳市市场监督管理局", width=24),
        Column("reference", "文书编号", required=True, help=_("同一来源部门内唯一"), example="深市监抽〔2026〕12号", width=22),
        Column("summary", "事实摘要", required=True, example="电热水壶监督抽查，结果合格", width=36),
        Column("product_model", "涉及产品型号", help=_("该主体已登记产品的型号，可留空"), example="SK-1701"),
        Column("penalty_amount", "罚没金额（元）", help=_("仅行政处罚填写"), example=""),
        Column("internal_note", "内部备注", help=_("仅监管部门可见"), example="", width=24),
    )

    def allowed(self, actor):
        return actor.is_regulator or actor.is_platform_admin

    def natural_key(self, data, actor):
        department = (data.get("source_department") or "").strip()
        reference = (data.get("reference") or "").strip()
        return (department, reference) if department and reference else None

    def find_existing(self, actor, key):
        return record_list(actor=actor).filter(source_department=key[0], reference=key[1]).first()

    def current_values(self, existing):
        return {
            "subject_uscc": existing.subject.uscc,
            "kind": existing.kind,
            "fact_date": existing.fact_date.isoformat(),
            "source_department": existing.source_department,
            "reference": existing.reference,
            "summary": existing.summary,
            "product_model": existing.product.model if existing.product_id else "",
            "penalty_amount": "" if existing.penalty_amount is None else str(existing.penalty_amount),
            "internal_note": existing.internal_note,
        }

    def form_for(self, actor, data, existing):
        form = CreditRecordForm(data=data, actor=actor)
        if existing is None and CreditRecord.objects.filter(
            source_department=(data.get("source_department") or "").strip(), reference=(data.get("reference") or "").strip()
        ).exists():
            # The key is taken by a record outside the actor's view: say so instead of
            # failing on the unique constraint at commit.
            form.is_valid()
            form.add_error("reference", _("该来源部门的文书编号已被使用。"))
        return form

    def save(self, actor, form, existing):
        return record_submit(actor=actor, data=form.cleaned_data, channel=RecordChannel.IMPORT)[1]


register(CreditRecordImport())
