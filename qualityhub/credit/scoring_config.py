"""The structure of a scoring model configuration, its default and its validation.

The structure follows the national enterprise credit-risk classification
(企业信用风险分类指标体系): indicators grouped under basic attributes, dynamic
information, supervision information, relationships and social evaluation. A score is
risk points: the higher, the riskier.

- ``kinds``: per record kind, the indicator group it counts in, its points (negative
  points lower the risk: awards, commitments, forerunner status) and optionally its own
  ``half_life_days``. A record's contribution is
  ``points * 0.5 ** (age_days / half_life_days)``, age counted from the fact date to
  the scoring date.
- ``basic``: points for a young enterprise (established less than ``young_years``
  ago), for an unknown establishment date, and per enterprise size.
- ``dynamic``: points per registration status, and per negative record in the last
  ``window_days`` (a burst of recent trouble, not decayed).
- ``relationship``: points when another enterprise with the same legal representative
  is D-class by its own indicators.
- ``groups``: each group's sum is kept within [min, max] (the caps).
- ``thresholds``: score <= A is class A, <= B is B, <= C is C, above is D.
- ``veto_kinds``: a counting record of one of these kinds no older than ``veto_days``
  forces class D whatever the score.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from qualityhub.accounts.choices import OrganisationStatus
from qualityhub.credit.choices import SERIOUS_KINDS, RecordKind
from qualityhub.registry.choices import EnterpriseSize

GROUPS = ("basic", "dynamic", "supervision", "relationship", "social")
RECORD_GROUPS = ("dynamic", "supervision", "social")  # groups a record kind may count in
CLASSES = ("A", "B", "C", "D")


def group_label(group):
    return {
        "basic": _("基础属性信息"),
        "dynamic": _("动态信息"),
        "supervision": _("监管信息"),
        "relationship": _("关联关系信息"),
        "social": _("社会评价信息"),
    }[group]


def _kind(group, points, half_life=None):
    entry = {"group": group, "points": points}
    if half_life is not None:
        entry["half_life_days"] = half_life
    return entry


DEFAULT_CONFIG = {
    "half_life_days": 365,
    "veto_days": 3 * 365,
    "veto_kinds": sorted(str(k) for k in SERIOUS_KINDS),
    "thresholds": {"A": 10, "B": 30, "C": 60},
    "groups": {
        "basic": {"min": 0, "max": 15},
        "dynamic": {"min": 0, "max": 20},
        "supervision": {"min": -10, "max": 80},
        "relationship": {"min": 0, "max": 20},
        "social": {"min": -20, "max": 20},
    },
    "basic": {
        "young_years": 3,
        "young_points": 6,
        "unknown_established_points": 3,
        "size_points": {"large": 0, "medium": 1, "small": 3, "micro": 5, "": 3},
    },
    "dynamic": {
        "status_points": {"active": 0, "suspended": 10, "revoked": 20, "deregistered": 20},
        "window_days": 180,
        "recent_negative_points": 4,
    },
    "relationship": {"same_legal_representative_d_points": 15},
    "kinds": {
        "sampling_pass": _kind("supervision", -2),
        "sampling_fail_general": _kind("supervision", 15),
        "sampling_fail_serious": _kind("supervision", 40, 730),
        "penalty": _kind("supervision", 20, 730),
        "complaint": _kind("social", 5, 180),
        "recall_voluntary": _kind("supervision", 1),
        "recall_ordered": _kind("supervision", 15),
        "cert_gained": _kind("social", -2),
        "cert_suspended": _kind("supervision", 10),
        "cert_revoked": _kind("supervision", 20),
        "award_national": _kind("social", -15, 1095),
        "award_provincial": _kind("social", -10, 1095),
        "award_city": _kind("social", -6, 1095),
        "award_nomination": _kind("social", -3),
        "quality_commitment": _kind("social", -3),
        "standard_forerunner": _kind("social", -5),
        "false_test_data": _kind("supervision", 50, 730),
        "false_certification": _kind("supervision", 50, 730),
    },
}


def _number(value, field, errors, *, minimum=None, positive=False, integer=False):
    if isinstance(value, bool) or value is None:
        errors.append(_("“%(f)s”必须是数字。") % {"f": field})
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.append(_("“%(f)s”必须是数字。") % {"f": field})
        return None
    if not number.is_finite():
        errors.append(_("“%(f)s”必须是数字。") % {"f": field})
        return None
    if integer and number != number.to_integral_value():
        errors.append(_("“%(f)s”必须是整数。") % {"f": field})
        return None
    if positive and number <= 0:
        errors.append(_("“%(f)s”必须大于0。") % {"f": field})
        return None
    if minimum is not None and number < minimum:
        errors.append(_("“%(f)s”不能小于%(m)s。") % {"f": field, "m": minimum})
        return None
    if abs(number) > 10000:
        errors.append(_("“%(f)s”的绝对值不能超过10000。") % {"f": field})
        return None
    return number


def _mapping(config, key, errors, field=None):
    value = config.get(key) if isinstance(config, dict) else None
    if not isinstance(value, dict):
        errors.append(_("缺少“%(f)s”，或其格式不是对象。") % {"f": field or key})
        return {}
    return value


def validate_config(config):
    """Raise ValidationError listing every problem (Chinese messages naming the field);
    return the configuration normalised to plain numbers otherwise."""
    errors = []
    if not isinstance(config, dict):
        raise ValidationError(_("模型配置必须是JSON对象。"))
    known = {"half_life_days", "veto_days", "veto_kinds", "thresholds", "groups", "basic", "dynamic", "relationship", "kinds"}
    for key in config:
        if key not in known:
            errors.append(_("无法识别的配置项“%(f)s”。") % {"f": key})
    _number(config.get("half_life_days"), "half_life_days", errors, positive=True)
    _number(config.get("veto_days"), "veto_days", errors, positive=True, integer=True)

    veto = config.get("veto_kinds")
    if not isinstance(veto, list):
        errors.append(_("“veto_kinds”必须是记录类型的列表。"))
    else:
        for kind in veto:
            if kind not in RecordKind.values:
                errors.append(_("“veto_kinds”中的“%(k)s”不是有效的记录类型。") % {"k": kind})

    thresholds = _mapping(config, "thresholds", errors)
    values = [_number(thresholds.get(c), f"thresholds.{c}", errors) for c in ("A", "B", "C")]
    if None not in values and not (values[0] < values[1] < values[2]):
        errors.append(_("“thresholds”必须满足 A < B < C。"))

    groups = _mapping(config, "groups", errors)
    for group in GROUPS:
        entry = groups.get(group)
        if not isinstance(entry, dict):
            errors.append(_("缺少“%(f)s”，或其格式不是对象。") % {"f": f"groups.{group}"})
            continue
        low = _number(entry.get("min"), f"groups.{group}.min", errors)
        high = _number(entry.get("max"), f"groups.{group}.max", errors)
        if low is not None and high is not None and low > high:
            errors.append(_("“%(f)s”的下限不能大于上限。") % {"f": f"groups.{group}"})
    for group in groups:
        if group not in GROUPS:
            errors.append(_("无法识别的指标组“%(f)s”。") % {"f": f"groups.{group}"})

    basic = _mapping(config, "basic", errors)
    _number(basic.get("young_years"), "basic.young_years", errors, minimum=0, integer=True)
    _number(basic.get("young_points"), "basic.young_points", errors)
    _number(basic.get("unknown_established_points"), "basic.unknown_established_points", errors)
    sizes = _mapping(basic, "size_points", errors, "basic.size_points")
    for size in [*EnterpriseSize.values, ""]:
        _number(sizes.get(size), f"basic.size_points.{size or '(空)'}", errors)

    dynamic = _mapping(config, "dynamic", errors)
    statuses = _mapping(dynamic, "status_points", errors, "dynamic.status_points")
    for status in OrganisationStatus.values:
        _number(statuses.get(status), f"dynamic.status_points.{status}", errors)
    _number(dynamic.get("window_days"), "dynamic.window_days", errors, positive=True, integer=True)
    _number(dynamic.get("recent_negative_points"), "dynamic.recent_negative_points", errors)

    relationship = _mapping(config, "relationship", errors)
    _number(relationship.get("same_legal_representative_d_points"), "relationship.same_legal_representative_d_points", errors)

    kinds = _mapping(config, "kinds", errors)
    for kind in RecordKind.values:
        entry = kinds.get(kind)
        field = f"kinds.{kind}"
        if not isinstance(entry, dict):
            errors.append(_("缺少“%(f)s”，或其格式不是对象。") % {"f": field})
            continue
        if entry.get("group") not in RECORD_GROUPS:
            errors.append(_("“%(f)s”必须是 dynamic、supervision 或 social 之一。") % {"f": f"{field}.group"})
        _number(entry.get("points"), f"{field}.points", errors)
        if "half_life_days" in entry:
            _number(entry.get("half_life_days"), f"{field}.half_life_days", errors, positive=True)
    for kind in kinds:
        if kind not in RecordKind.values:
            errors.append(_("“kinds”中的“%(k)s”不是有效的记录类型。") % {"k": kind})
    if errors:
        raise ValidationError(errors)
    return config
