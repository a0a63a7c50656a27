"""Forms of the credit archive. ``CreditRecordForm`` validates a record typed on the
page, sent to the API and read from every imported row alike."""

import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from qualityhub.accounts.choices import OrganisationKind
from qualityhub.accounts.models import Organisation
from qualityhub.core.attachments import check_attachment
from qualityhub.core.forms import BootstrapFormMixin, FlexibleDateField, LookupChoiceField
from qualityhub.core.scoping import changeable
from qualityhub.core.validators import normalise_uscc, validate_uscc
from qualityhub.credit.choices import RecordKind, rule
from qualityhub.registry.models import Product

# Organisations a credit record may be about: enterprises, and for false test data or
# false certification the labs and certifiers.
PROVIDER_SUBJECT_KINDS = (OrganisationKind.LAB, OrganisationKind.CERTIFIER)
EARLIEST_FACT = datetime.date(1990, 1, 1)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Several evidence files, each checked for size and type."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > settings.ATTACHMENT_MAX_FILES:
            raise ValidationError(_("最多上传 %(n)d 个文件。") % {"n": settings.ATTACHMENT_MAX_FILES})
        errors = []
        for uploaded in files:
            try:
                check_attachment(uploaded)
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return list(files)


class CreditRecordForm(BootstrapFormMixin, forms.Form):
    subject_uscc = forms.CharField(label=_l("信用主体统一社会信用代码"), max_length=30)
    product_model = forms.CharField(label=_l("涉及产品型号"), max_length=100, required=False,
                                    help_text=_l("该主体已登记产品的型号，可留空"))
    kind = LookupChoiceField(label=_l("记录类型"), choices=[("", "---------")] + list(RecordKind.choices))
    fact_date = FlexibleDateField(label=_l("事实发生日期"))
    source_department = forms.CharField(label=_l("来源部门"), max_length=120)
    reference = forms.CharField(label=_l("文书编号"), max_length=80, help_text=_l("如抽查结果通知书、处罚决定书文号；同一来源部门内唯一"))
    summary = forms.CharField(label=_l("事实摘要"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    penalty_amount = forms.DecimalField(label=_l("罚没金额（元）"), required=False, max_digits=14, decimal_places=2, min_value=0)
    internal_note = forms.CharField(label=_l("内部备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                    help_text=_l("仅监管部门可见，不公开。"))

    def __init__(self, *args, actor, instance=None, **kwargs):
        # ``instance`` is accepted for the shared API serializer; records are never
        # edited through this form.
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["kind"].error_messages["invalid_choice"] = _l("未知的记录类型“%(value)s”。")

    def clean_subject_uscc(self):
        code = normalise_uscc(self.cleaned_data["subject_uscc"])
        validate_uscc(code)
        subject = (
            changeable(Organisation.objects.filter(kind__in=(OrganisationKind.ENTERPRISE, *PROVIDER_SUBJECT_KINDS)), self.actor)
            .filter(uscc=code)
            .select_related("city", "region")
            .first()
        )
        if subject is None:
            raise ValidationError(_("未找到代码为 %(code)s 的企业或机构，或其不在您的管辖范围内。") % {"code": code})
        return subject

    def clean_fact_date(self):
        value = self.cleaned_data["fact_date"]
        if value > timezone.localdate():
            raise ValidationError(_("事实发生日期不能晚于今天。"))
        if value < EARLIEST_FACT:
            raise ValidationError(_("事实发生日期不能早于 1990 年。"))
        return value

    def clean(self):
        cleaned = super().clean()
        if not (self.actor.is_regulator or self.actor.is_platform_admin):
            raise ValidationError(_("只有市场监管部门可以录入信用记录。"))
        subject, kind = cleaned.get("subject_uscc"), cleaned.get("kind")
        if subject is not None and kind:
            kind_rule = rule(kind)
            if kind_rule.providers_only and subject.kind not in PROVIDER_SUBJECT_KINDS:
                self.add_error("kind", _("“%(kind)s”只适用于检验检测机构和认证机构。") % {"kind": RecordKind(kind).label})
            elif not kind_rule.providers_only and subject.kind != OrganisationKind.ENTERPRISE:
                self.add_error("kind", _("“%(kind)s”只适用于企业。") % {"kind": RecordKind(kind).label})
            if kind_rule.needs_amount and cleaned.get("penalty_amount") is None:
                self.add_error("penalty_amount", _("行政处罚须填写罚没金额（无罚款填 0）。"))
            if not kind_rule.needs_amount and cleaned.get("penalty_amount") is not None:
                self.add_error("penalty_amount", _("只有行政处罚填写罚没金额。"))
        model = (cleaned.get("product_model") or "").strip()
        cleaned["product"] = None
        if subject is not None and model:
            product = Product.objects.filter(enterprise=subject, model=model).first()
            if product is None:
                self.add_error("product_model", _("该主体没有型号为“%(model)s”的产品。") % {"model": model})
            cleaned["product"] = product
        cleaned["subject"] = subject
        return cleaned


class RecordEntryForm(CreditRecordForm):
    """The page's form: the record plus its evidence files."""

    evidence = EvidenceField(label=_l("证据材料"), required=False, help_text=_l("PDF、JPG、PNG、DOCX、XLSX，每个不超过 10 MB"))


class ReasonForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_l("理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ObjectionForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_l("异议理由"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    evidence = EvidenceField(label=_l("证明材料"), required=False)


class RepairForm(BootstrapFormMixin, forms.Form):
    statement = forms.CharField(label=_l("整改情况说明"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    evidence = EvidenceField(label=_l("整改证明材料"))


class DecisionForm(BootstrapFormMixin, forms.Form):
    accept = forms.TypedChoiceField(
        label=_l("处理结果"), choices=[("1", _l("采纳")), ("0", _l("不予采纳"))], coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_l("处理意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
