"""Only ASCII digits make numbers: full-width (０９) and other scripts' digits are refused.

Python's ``\\d`` and ``int()`` accept every Unicode digit, so a policy typed with a Chinese
input method could silently mean something (or fail somewhere) it does not say.
"""

from __future__ import annotations

import pytest

from slapolicy import Calendar, CalendarError, PolicyError, load_policy

POLICY = """\
slapolicy: 1
name: digits
timezone: Asia/Shanghai
calendars:
  office:
    hours: {mon-fri: ["09:00-18:00"]}
    holidays: {dates: [{date: 2026-05-01, name: 劳动节}]}
categories:
  - {id: other}
priorities:
  - {id: P1}
slas:
  - {id: standard, calendar: office, targets: {P1: {response: 2h}}}
routing:
  - {owner: desk}
escalation:
  - {target: response, at: 75%, notify: desk}
"""


def test_the_base_policy_loads() -> None:
    assert load_policy(POLICY).escalations[0].reason == "75% of response"


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        pytest.param(
            '"09:00-18:00"', '"０９:00-18:00"', "calendars.office.hours.mon-fri[0]", id="window"
        ),
        pytest.param(
            "date: 2026-05-01",
            "date: ２026-05-01",
            "calendars.office.holidays.dates[0].date",
            id="date",
        ),
        pytest.param("at: 75%", "at: ７５%", "escalation[0].at", id="percent"),
        pytest.param("response: 2h", "response: ２h", "slas[0].targets.P1.response", id="duration"),
        pytest.param(
            "response: 2h", "response: ٢h", "slas[0].targets.P1.response", id="arabic-indic"
        ),
    ],
)
def test_a_non_ascii_digit_in_a_policy_is_refused(old: str, new: str, path: str) -> None:
    assert old in POLICY
    with pytest.raises(PolicyError) as info:
        load_policy(POLICY.replace(old, new))
    assert [p.path for p in info.value.problems] == [path]


@pytest.mark.parametrize(
    "instant", ["２０２６-05-08T09:00:00+08:00", "2026-05-08T０９:00:00+08:00", "２０２６-05-08"]
)
def test_a_non_ascii_digit_in_an_instant_is_refused(instant: str) -> None:
    office = Calendar.from_spec({"timezone": "Asia/Shanghai", "hours": "always"})
    with pytest.raises(CalendarError, match="invalid date"):
        office.add(instant, "1h")
