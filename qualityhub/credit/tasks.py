"""Background work of the credit app."""

from django_tasks import task


@task()
def refresh_standing():
    from qualityhub.credit.standing import standing_refresh

    standing_refresh()
