"""Notifications reach the organisation (or one of its people) and nobody else; the
inbox marks what it showed as read."""

from django.urls import reverse

from qualityhub.core.models import Notification
from qualityhub.core.notifications import notify, notify_many, unread_count


def test_inbox_shows_the_organisations_notifications_and_marks_them_read(actors):
    notify(organisation=actors.enterprise_a, title="给甲企业的通知", body="正文")
    notify(organisation=actors.enterprise_a, user=actors.colleague.user, title="只给质量员")
    notify(organisation=actors.enterprise_b, title="给乙企业的通知")
    assert unread_count(actors.owner.actor) == 1
    assert unread_count(actors.colleague.actor) == 2

    page = actors.owner.client().get(reverse("core:notification-list")).content.decode()
    assert "给甲企业的通知" in page and "只给质量员" not in page and "给乙企业的通知" not in page
    assert unread_count(actors.owner.actor) == 0
    # Read for the organisation: the colleague no longer sees it as new, but still has theirs.
    assert unread_count(actors.colleague.actor) == 1
    assert "给甲企业的通知" not in actors.outsider.client().get(reverse("core:notification-list")).content.decode()


def test_notify_many_writes_one_row_per_organisation(actors, django_assert_num_queries):
    with django_assert_num_queries(1):
        notify_many(organisations=[actors.enterprise_a, actors.enterprise_b.pk], title="等级变化")
    assert Notification.objects.filter(title="等级变化").count() == 2


def test_inbox_query_count_does_not_grow_with_notifications(actors):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = actors.owner.client()
    notify(organisation=actors.enterprise_a, title="一")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("core:notification-list"))
    for n in range(30):
        notify(organisation=actors.enterprise_a, title=f"通知{n}")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("core:notification-list"))
    assert len(many) == len(few)
