"""The credit API: records reported by other systems go through ``record_submit``
like the page and the import; reads are scoped like the pages (subjects never see
internal notes or records waiting for review)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError

from qualityhub.core.api import ActorContextMixin, FormBackedSerializer, ScopedViewSet
from qualityhub.credit import selectors, services
from qualityhub.credit.choices import RecordChannel
from qualityhub.credit.filters import RecordFilter
from qualityhub.credit.forms import CreditRecordForm
from qualityhub.credit.models import CreditRecord


class CreditRecordSerializer(FormBackedSerializer):
    form_class = CreditRecordForm

    id = serializers.IntegerField(read_only=True)
    subject_uscc = serializers.CharField(max_length=30)
    product_model = serializers.CharField(required=False, allow_blank=True)
    kind = serializers.CharField(help_text="记录类型代码或名称，如 sampling_fail_general、行政处罚")
    fact_date = serializers.DateField()
    source_department = serializers.CharField(max_length=120)
    reference = serializers.CharField(max_length=80)
    summary = serializers.CharField(max_length=300)
    penalty_amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    internal_note = serializers.CharField(required=False, allow_blank=True)
    status = serializers.CharField(read_only=True)

    def to_representation(self, obj):
        data = {
            "id": obj.pk,
            "subject_uscc": obj.subject.uscc,
            "subject_name": obj.subject.name,
            "product_model": obj.product.model if obj.product_id else "",
            "kind": obj.kind,
            "kind_display": obj.get_kind_display(),
            "fact_date": obj.fact_date.isoformat(),
            "source_department": obj.source_department,
            "reference": obj.reference,
            "summary": obj.summary,
            "penalty_amount": None if obj.penalty_amount is None else str(obj.penalty_amount),
            "status": obj.status,
            "effective_on": obj.effective_on.isoformat() if obj.effective_on else None,
            "publicity_until": obj.publicity_until.isoformat() if obj.publicity_until else None,
            "objection_deadline": obj.objection_deadline.isoformat() if obj.objection_deadline else None,
        }
        if selectors.sees_internal(self.context["actor"]):
            data["internal_note"] = obj.internal_note
        return data

    def create(self, validated_data):
        try:
            return services.record_submit(
                actor=self.context["actor"], data=self.validated_form.cleaned_data, channel=RecordChannel.API
            )[0]
        except DjangoValidationError as exc:
            raise ValidationError(getattr(exc, "message_dict", {"non_field_errors": exc.messages}))


@extend_schema_view(
    list=extend_schema(summary="信用记录列表", description="监管部门看到辖区内主体的记录；企业只看到本企业已生效的记录。"),
    retrieve=extend_schema(summary="信用记录详情"),
    create=extend_schema(
        summary="报送信用记录",
        description="由业务系统报送，立即生效（负面记录通知主体并开始异议期）。同一来源部门和文书编号重复报送不会重复登记。",
    ),
)
class CreditRecordViewSet(ActorContextMixin, ScopedViewSet):
    serializer_class = CreditRecordSerializer
    filterset_class = RecordFilter
    ordering_fields = ["id", "fact_date"]
    ordering = ["-id"]
    queryset = CreditRecord.objects.all()
    # Records are never edited or deleted through the API: a wrong record is withdrawn
    # by a regulator on its page, with a reason.
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return selectors.record_list(actor=self.actor)

    def create(self, request, *args, **kwargs):
        # Refuse before validating: an enterprise learns nothing from field errors.
        if not (self.actor.is_regulator or self.actor.is_platform_admin):
            raise PermissionDenied(_("只有市场监管部门可以报送信用记录。"))
        return super().create(request, *args, **kwargs)
