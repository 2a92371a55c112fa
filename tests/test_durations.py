"""Durations: only ASCII digits are read, and spans of time print the way durations are written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slapolicy import CalendarError, Duration, PolicyError, load_policy, parse_duration
from slapolicy._durations import format_timedelta, parse_clock_time


@pytest.mark.parametrize(
    ("text", "digit"),
    [
        pytest.param("１５m", "１", id="full-width"),
        pytest.param("١٥m", "١", id="arabic-indic"),
        pytest.param("۱۵m", "۱", id="extended-arabic-indic"),
        pytest.param("१५m", "१", id="devanagari"),
        pytest.param("1h３0m", "３", id="one-full-width-digit"),
        pytest.param("²h", "²", id="superscript"),
    ],
)
def test_only_ascii_digits_make_a_duration(text: str, digit: str) -> None:
    with pytest.raises(CalendarError, match=f"{digit!r} is not an ASCII digit"):
        parse_duration(text)
    with pytest.raises(CalendarError, match="not an ASCII digit"):
        Duration.of(text)


def test_ascii_durations_still_read() -> None:
    assert parse_duration("15m") == Duration(0, timedelta(minutes=15))
    assert parse_duration(" 1d 4h ") == Duration(1, timedelta(hours=4))


def test_full_width_digits_in_a_policy_are_a_load_error() -> None:
    policy = """\
slapolicy: 1
name: digits
timezone: Asia/Shanghai
calendars:
  office: {hours: always}
categories:
  - {id: other}
priorities:
  - {id: P1}
slas:
  - id: standard
    calendar: office
    targets:
      P1: {response: １５m, resolve: 2h}
routing:
  - {owner: desk}
owners:
  desk: {}
"""
    with pytest.raises(PolicyError, match="not an ASCII digit") as caught:
        load_policy(policy)
    assert "slas[0].targets.P1.response" in str(caught.value)


def test_clock_times_need_ascii_digits_too() -> None:
    assert parse_clock_time("18:00") == 18 * 3600
    with pytest.raises(CalendarError, match="not an ASCII digit"):
        parse_clock_time("１８:００")


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(hours=1), "1h"),
        (timedelta(hours=1, minutes=30), "1h30m"),
        (-timedelta(hours=1, minutes=30), "-1h30m"),  # Python: -1 day, 22:30:00
        (timedelta(hours=25), "25h"),  # never folded into days: 1d is a working day
        (timedelta(0), "0m"),
        (timedelta(seconds=-1), "-1s"),
        (timedelta(seconds=90.4), "1m30s"),  # rounded to the second
        (timedelta(seconds=-0.4), "0m"),
        (timedelta(days=2, seconds=5), "48h5s"),
    ],
)
def test_format_timedelta(delta: timedelta, text: str) -> None:
    assert format_timedelta(delta) == text


@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_format_timedelta_reads_back(seconds: int) -> None:
    """The text of whole seconds is a duration string for the same span (with its sign)."""
    text = format_timedelta(timedelta(seconds=seconds))
    negative = text.startswith("-")
    assert negative == (seconds < 0)
    assert parse_duration(text.lstrip("-")).time == timedelta(seconds=abs(seconds))
