"""``record_changed`` is sent (after the transaction commits) whenever a credit record
starts or stops counting: it takes effect, is withdrawn, repaired or expires. Scoring
rescoring the subject and the credit code pages dropping their cache listen to it, so
the record services need not know them."""

from django.dispatch import Signal

# Sent with subject_ids: the organisations whose records changed, or None when too
# many changed to list (a daily expiry run): listeners then refresh everything.
record_changed = Signal()
