"""Days as Chinese rules count them: statutory holidays and make-up working days.

Holiday data comes from the ``chinesecalendar`` package (State Council schedules, one
release per year). For a year the package does not know yet, Saturdays and Sundays are
the rest days, so a deadline past its data still lands on a plausible day instead of
failing.
"""

import datetime

import chinese_calendar


def is_working_day(day):
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def deadline_after(start, days):
    """The last day of a period of ``days`` calendar days that begins the day after
    ``start`` (the day of the event does not count). When that day is a rest day the
    period ends on the next working day, as the Civil Code (arts. 201, 203) counts
    periods."""
    end = start + datetime.timedelta(days=days)
    while not is_working_day(end):
        end += datetime.timedelta(days=1)
    return end
