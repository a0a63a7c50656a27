"""Background tasks of the core: imports run here when a file is large."""

from django_tasks import task


@task()
def run_import(job_id):
    from qualityhub.core.imports.services import import_job_run

    import_job_run(job_id=job_id)
