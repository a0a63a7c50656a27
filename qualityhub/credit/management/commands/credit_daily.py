"""The credit archive's daily run (cron or a systemd timer, after midnight): records
past their publicity period leave public view, and the good-standing list is
recomputed (tiers change as time passes even when no record does)."""

from django.core.management.base import BaseCommand

from qualityhub.credit.services import records_expire
from qualityhub.credit.standing import standing_refresh


class Command(BaseCommand):
    help = "Expire records past their publicity period and recompute the good-standing list."

    def handle(self, *args, **options):
        expired = records_expire()
        listed = standing_refresh()
        self.stdout.write(f"expired records: {expired}; good-standing subjects: {listed}")
