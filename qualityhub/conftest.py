import pytest

from qualityhub.core.testing.actors import Actors


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Tasks run at once in tests (after the enqueuing transaction commits), unless a
    test opts into the database backend and a real worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    yield  # django-tasks resets its backends on setting_changed


@pytest.fixture
def actors(db):
    return Actors()
