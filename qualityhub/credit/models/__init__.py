"""The credit app's models, one module per area."""

from qualityhub.credit.models.records import CreditRecord, Evidence, Objection, RepairApplication  # noqa: F401
from qualityhub.credit.models.scoring import EnterpriseScore, RiskClass  # noqa: F401
from qualityhub.credit.models.scoring import ClassChange, InspectionQuota, RunStatus, ScoringModel, ScoringRun  # noqa: F401
from qualityhub.credit.models.standing import GoodStanding  # noqa: F401
