import time

from django.core.management.base import BaseCommand, CommandError

from qualityhub.accounts.models import Organisation
from qualityhub.registry.demo import DemoBuilder, analyse


class Command(BaseCommand):
    help = "Build the reproducible demo dataset (fixed seed). --enterprises N for benchmark-sized data."

    def add_arguments(self, parser):
        parser.add_argument("--enterprises", type=int, default=2000)
        parser.add_argument("--products", type=int, default=None, help="default: 5 per enterprise, at most 10,000")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when organisations already exist")

    def handle(self, *args, enterprises, products, if_empty, **options):
        if Organisation.objects.exists():
            if if_empty:
                self.stdout.write("Database already holds data; demo data not loaded.")
                return
            raise CommandError("The database already holds organisations; seed_demo needs an empty database.")
        if enterprises < 1:
            raise CommandError("--enterprises must be at least 1")
        if products is not None and products < 0:
            raise CommandError("--products must not be negative")
        started = time.monotonic()
        DemoBuilder(enterprises=enterprises, products=products, stdout=self.stdout).build()
        analyse()
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {time.monotonic() - started:.1f}s."))
