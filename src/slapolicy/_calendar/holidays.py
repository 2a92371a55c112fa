"""Official public holidays and make-up working days of a country, from ``holidays``.

Why the ``holidays`` package: it is maintained, covers about 200 countries with their
subdivisions, and for China it carries the State Council's yearly arrangement including the
weekend days that become working days (调休, ``weekend_workdays``). ``chinese-calendar``
has the same Chinese data but only for China and raises outside its years, so the test
suite uses it as an independent cross-check instead (see docs/dependencies.md).

Official arrangements exist only for the years already announced. For countries whose
holidays are moved by yearly decree (:data:`ANNOUNCED_YEARLY`), the last year with such data
is read from the data itself; later years still get the statutory holidays the package
computes, but no make-up days, and callers are told (see :meth:`CountryHolidays.covers`).
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import threading
from datetime import date

import holidays as _holidays

from .._errors import CalendarError, Problem

__all__ = ["ANNOUNCED_YEARLY", "CountryHolidays"]

#: Countries whose holidays and make-up working days are announced year by year.
ANNOUNCED_YEARLY = frozenset({"CN"})

_PROBE_YEARS = range(2000, 2101)
#: the years a calendar answers (its supported range)
_FINGERPRINT_YEARS = range(1901, 2200)


class CountryHolidays:
    """Holidays and make-up working days of one country (and optional subdivision)."""

    def __init__(
        self, country: str, subdivision: str | None = None, language: str | None = None
    ) -> None:
        supported = _holidays.list_supported_countries()
        code = country.upper() if isinstance(country, str) else country
        if code not in supported:
            hint = difflib.get_close_matches(str(country).upper(), list(supported), n=1)
            fix = f"; did you mean {hint[0]!r}?" if hint else "; use an ISO 3166 alpha-2 code"
            message = f"unknown holiday country {country!r}{fix}"
            raise CalendarError(message, problems=[Problem(message, "country")])
        if subdivision is not None and subdivision not in supported[code]:
            message = (
                f"unknown subdivision {subdivision!r} of {code}; "
                f"known: {', '.join(supported[code]) or 'none'}"
            )
            raise CalendarError(message, problems=[Problem(message, "subdivision")])
        cls = _holidays.country_holidays(code).__class__
        languages = tuple(getattr(cls, "supported_languages", ()))
        if language is not None and language not in languages:
            hint = difflib.get_close_matches(str(language), languages, n=1)
            fix = f"; did you mean {hint[0]!r}?" if hint else ""
            message = (
                f"unknown holiday language {language!r} for {code}{fix}; "
                f"known: {', '.join(languages) or 'none'}"
            )
            raise CalendarError(message, problems=[Problem(message, "language")])
        # holiday names in the country's own language (春节 on a Chinese calendar) unless the
        # calendar asks for another one; the package's default follows the process locale
        default = getattr(cls, "default_language", None)
        chosen = language or (default if default in languages else None)
        self._data = _holidays.country_holidays(code, subdiv=subdivision, language=chosen)
        #: the ISO 3166 alpha-2 code (``CHN`` is read as ``CN``)
        self.country: str = str(getattr(self._data, "country", code))
        self.subdivision: str | None = subdivision
        #: the language of :meth:`holiday_name` (None: the package's own choice)
        self.language: str | None = chosen
        self._lock = threading.Lock()
        self._years: set[int] = set()
        self.first_year: int = int(getattr(cls, "start_year", 1900))
        self.last_year: int = int(getattr(cls, "end_year", 2199))
        #: last year of official data (None: the package's rules apply to every year).
        self.announced_until: int | None = (
            _announced_until(self.country, subdivision)
            if self.country in ANNOUNCED_YEARLY
            else None
        )

    def _load(self, year: int) -> None:
        if year not in self._years:
            with self._lock:
                if year not in self._years:
                    _ = date(year, 1, 1) in self._data  # expands the year's data
                    self._years.add(year)

    def holiday_name(self, day: date) -> str | None:
        """The holiday's name if ``day`` is an official public holiday, else None."""
        self._load(day.year)
        name = self._data.get(day)
        return None if name is None else str(name)

    def is_make_up_workday(self, day: date) -> bool:
        """True if ``day`` is an official make-up working day (a weekend day worked)."""
        self._load(day.year)
        return day in self._data.weekend_workdays

    def covers(self, year: int) -> bool:
        """True if the data for ``year`` is official (announced), not extrapolated."""
        if not self.first_year <= year <= self.last_year:
            return False
        return self.announced_until is None or year <= self.announced_until

    @property
    def fingerprint(self) -> str:
        """A digest of every holiday and make-up working day the package gives this country
        (and subdivision) over the years a calendar answers: it changes exactly when an
        upgrade of ``holidays`` changes a date a deadline could count on."""
        return _fingerprint(self.country, self.subdivision)


@functools.cache
def _fingerprint(country: str, subdivision: str | None) -> str:
    data = _holidays.country_holidays(country, subdiv=subdivision, years=_FINGERPRINT_YEARS)
    days = sorted(data)  # (names left out: a translation does not move a deadline)
    workdays = sorted(data.weekend_workdays)
    text = ",".join(d.isoformat() for d in days) + "|" + ",".join(d.isoformat() for d in workdays)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@functools.cache
def _announced_until(country: str, subdivision: str | None) -> int | None:
    data = _holidays.country_holidays(country, subdiv=subdivision, years=_PROBE_YEARS)
    years = [d.year for d in data.weekend_workdays]
    return max(years) if years else None
