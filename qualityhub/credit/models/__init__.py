"""The credit app's models, one module per area."""

from qualityhub.credit.models.records import CreditRecord, Evidence, Objection, RepairApplication  # noqa: F401
from qualityhub.credit.models.scoring import EnterpriseScore, RiskClass  # noqa: F401
from qualityhub.credit.models.scoring import ClassChange, InspectionQuota, RunStatus, ScoringModel, ScoringRun  # noqa: F401
from qualityhub.credit.models.standing import GoodStanding  # noqa: F401
from qualityhub.credit.models.lending import AccessAction, CreditReport, LenderConsent, ReportAccess, ReportKind  # noqa: F401
from qualityhub.credit.models.codes import CodeBatch, CodeReport, CodeStatus, CreditCode  # noqa: F401
