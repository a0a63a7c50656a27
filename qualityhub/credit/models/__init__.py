"""The credit app's models, one module per area."""

from qualityhub.credit.models.records import CreditRecord, Evidence, Objection, RepairApplication  # noqa: F401
