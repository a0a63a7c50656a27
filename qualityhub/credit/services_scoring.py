"""Writes for the risk classes: scoring model versions and inspection quotas. Only
province regulators and platform administrators may make them."""

import copy
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.utils.translation import gettext as _

from qualityhub.core.audit import write_service
from qualityhub.credit.models import InspectionQuota, RiskClass, ScoringModel
from qualityhub.credit.scoring_config import validate_config
from qualityhub.credit.scoring_listeners import can_manage_scoring


def _require_manager(actor):
    if not can_manage_scoring(actor):
        raise PermissionDenied(_("只有省级监管部门或平台管理员可以维护信用风险分类模型。"))


@write_service
def scoring_model_create(*, actor, config, note=""):
    """Save a configuration as a new version and make it the active one. The previous
    versions stay, so every stored score can still be explained."""
    _require_manager(actor)
    config = validate_config(copy.deepcopy(config))
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationError({"note": _("修订说明不能超过200个字。")})
    version = (ScoringModel.objects.select_for_update().aggregate(v=Max("version"))["v"] or 0) + 1
    ScoringModel.objects.filter(is_active=True).update(is_active=False)
    user = actor.user if getattr(actor.user, "pk", None) else None
    return ScoringModel.objects.create(version=version, config=config, note=note, is_active=True, created_by=user)


@write_service
def scoring_model_activate(*, actor, version):
    """Make an earlier version the active one again (a rollback)."""
    _require_manager(actor)
    model = ScoringModel.objects.get(version=version)
    validate_config(model.config)
    ScoringModel.objects.filter(is_active=True).exclude(pk=model.pk).update(is_active=False)
    ScoringModel.objects.filter(pk=model.pk).update(is_active=True)
    model.is_active = True
    return model


def _percent(value, label, errors):
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.append(_("“%(f)s”必须是0到100之间的数字。") % {"f": label})
        return None
    if not number.is_finite() or number < 0 or number > 100 or number != number.quantize(Decimal("0.01")):
        errors.append(_("“%(f)s”必须是0到100之间的数字，最多两位小数。") % {"f": label})
        return None
    return number


@write_service
def inspection_quotas_save(*, actor, data):
    """``data``: {class: {"min_percent", "max_percent", "times_per_year"}} for A–D.
    All four are saved or none."""
    _require_manager(actor)
    errors, rows = [], {}
    for risk_class in RiskClass.values:
        entry = data.get(risk_class) or {}
        name = _("%(c)s类") % {"c": risk_class}
        low = _percent(entry.get("min_percent", ""), _("%(c)s年度抽查比例下限") % {"c": name}, errors)
        high = _percent(entry.get("max_percent", ""), _("%(c)s年度抽查比例上限") % {"c": name}, errors)
        times_label = _("%(c)s每年抽查频次") % {"c": name}
        try:
            times = int(str(entry.get("times_per_year", "")).strip())
            if times < 1 or times > 52:
                raise ValueError
        except ValueError:
            errors.append(_("“%(f)s”必须是1到52之间的整数。") % {"f": times_label})
            times = None
        if low is not None and high is not None and low > high:
            errors.append(_("%(c)s的年度抽查比例下限不能大于上限。") % {"c": name})
        rows[risk_class] = (low, high, times)
    if errors:
        raise ValidationError(errors)
    for risk_class, (low, high, times) in rows.items():
        InspectionQuota.objects.update_or_create(
            risk_class=risk_class, defaults={"min_percent": low, "max_percent": high, "times_per_year": times}
        )
    return rows
