from django.core.management.base import BaseCommand

from qualityhub.accounts.demo import demo_accounts


class Command(BaseCommand):
    help = "Print the demo logins (only when DEMO_MODE is on and the demo data is loaded)."

    def handle(self, *args, **options):
        accounts = demo_accounts()
        if not accounts:
            return
        self.stdout.write("演示账号 (demo accounts), 密码 password: " + accounts[0]["password"])
        for account in accounts:
            self.stdout.write(f"  {account['role']:<24} {account['mobile']}  {account['email']}")
