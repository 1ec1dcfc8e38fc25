"""The outbox's sending window in the district's time zone, across daylight-saving changes."""

from datetime import UTC, datetime

import pytest

from engagement.sms.outbox import OutboxSettings, in_sending_hours, seconds_until_sending

SETTINGS = OutboxSettings()  # 8:00-20:00, America/Los_Angeles


@pytest.mark.parametrize(
    ("now", "hours"),
    [
        (datetime(2026, 11, 25, 5, 0, tzinfo=UTC), 11),  # 21:00 PST -> 08:00 PST
        # 21:00 PDT on the night clocks go back: 12 real hours until 08:00 PST.
        (datetime(2026, 11, 1, 4, 0, tzinfo=UTC), 12),
        # 21:00 PST on the night clocks go forward: 10 real hours until 08:00 PDT.
        (datetime(2027, 3, 14, 5, 0, tzinfo=UTC), 10),
    ],
)
def test_the_wait_until_eight_is_counted_in_real_hours(now, hours):
    assert not in_sending_hours(now, SETTINGS)
    assert seconds_until_sending(now, SETTINGS) == hours * 3600


def test_inside_the_window_there_is_no_wait_and_the_window_follows_local_time():
    assert seconds_until_sending(datetime(2026, 11, 24, 17, 0, tzinfo=UTC), SETTINGS) == 0
    assert in_sending_hours(datetime(2026, 7, 1, 15, 0, tzinfo=UTC), SETTINGS)  # 08:00 PDT
    assert not in_sending_hours(datetime(2026, 12, 1, 15, 0, tzinfo=UTC), SETTINGS)  # 07:00 PST
