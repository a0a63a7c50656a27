"""Scoring's part of the shared shell: it rescores subjects whose records changed, and
contributes the navigation entry and dashboard card for regulators. Imported from
``CreditConfig.ready``."""

from django.db import transaction
from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qualityhub.accounts.choices import RegionLevel
from qualityhub.core import dashboard, navigation
from qualityhub.credit.signals import record_changed


def can_see_scores(actor):
    return actor.is_regulator or actor.is_platform_admin


def can_manage_scoring(actor):
    """Province regulators and platform administrators edit the model and the quotas
    and start a full rescoring."""
    if actor.is_platform_admin:
        return True
    jurisdiction = actor.jurisdiction
    return bool(actor.is_regulator and jurisdiction is not None and jurisdiction.level == RegionLevel.PROVINCE)


@receiver(record_changed, dispatch_uid="credit-scoring-rescore")
def rescore_on_record_change(sender, subject_ids=None, **kwargs):
    """Rescore the subjects at once; None ("many changed") or a very long list (a
    large import) queues a full run instead."""
    from qualityhub.credit.scoring import MANY_SUBJECTS, rescore_subjects, scoring_run_start

    if subject_ids is None or len(subject_ids) > MANY_SUBJECTS:
        scoring_run_start()
        return
    with transaction.atomic():
        rescore_subjects(subject_ids)


navigation.register(_("信用风险分类"), "credit:dashboard", order=41, group="credit", visible=can_see_scores)


@dashboard.register
def scoring_cards(actor):
    if not can_see_scores(actor):
        return []
    from qualityhub.credit.selectors_scoring import class_counts

    counts = class_counts(actor)
    return [dashboard.Card(_("D类（高风险）企业"), counts.get("D", 0), reverse("credit:score-list") + "?risk_class=D")]
