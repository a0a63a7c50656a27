"""Write the credit code scans counted in the cache to the database. Run it every
minute or so (cron, or a loop beside the worker); a scan itself never writes a row."""

from django.core.management.base import BaseCommand

from qualityhub.credit import code_scans


class Command(BaseCommand):
    help = "Flush credit code scan counts from the cache to the database."

    def handle(self, *args, **options):
        codes, scans = code_scans.flush()
        self.stdout.write(f"flushed {scans} scans of {codes} codes")
