"""Background work of the credit app."""

from django_tasks import task


@task()
def refresh_standing():
    from qualityhub.credit.standing import standing_refresh

    standing_refresh()


@task()
def rescore_all_task(run_id):
    from qualityhub.credit.scoring import scoring_run_execute

    scoring_run_execute(run_id)
