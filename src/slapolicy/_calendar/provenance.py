"""Where a calendar's facts come from: the time-zone and holiday data it counts on.

The same policy text can give different deadlines on two machines when their tz database or
their ``holidays`` package differ (a zone's offset changed by law, a year's holiday
arrangement published). :class:`DataSource` names each such input with a human version and a
digest of the data itself, so that ``Policy.version`` changes exactly when the data does.

Time zones are read the way :mod:`zoneinfo` reads them: the first file found under
``zoneinfo.TZPATH`` (the system's tz database), else the ``tzdata`` package.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import importlib.resources
import os
import zoneinfo
from dataclasses import dataclass
from datetime import tzinfo

from .holidays import CountryHolidays

__all__ = ["DataSource", "holiday_source", "zone_source"]


@dataclass(frozen=True, slots=True)
class DataSource:
    """One input of a calendar's arithmetic beyond the policy text."""

    #: ``tzdata`` or ``holidays``
    kind: str
    #: the zone (``Asia/Shanghai``) or the country (``CN``, ``US-CA``)
    name: str
    #: for people: ``2025b (system tz database)``, ``holidays 0.109``
    version: str
    #: sha256 prefix of the data itself (the zone's TZif file, the holiday dates)
    digest: str


def holiday_source(country: CountryHolidays) -> DataSource:
    """The holiday data of a calendar's country."""
    package_version = importlib.metadata.version("holidays")
    name = country.country + (f"-{country.subdivision}" if country.subdivision else "")
    until = country.announced_until
    official = f", official until {until}" if until is not None else ""
    return DataSource(
        "holidays", name, f"holidays {package_version}{official}", country.fingerprint
    )


def zone_source(tz: tzinfo) -> DataSource:
    """The tz data of a zone (a fixed offset depends on no data)."""
    key = getattr(tz, "key", None)
    if not isinstance(tz, zoneinfo.ZoneInfo) or not isinstance(key, str):
        name = str(tz)
        return DataSource("tzdata", name, "fixed offset", _digest(name.encode()))
    return _zone_source(key)


def _zone_source(key: str) -> DataSource:
    # (read every time a policy is loaded, not cached: zoneinfo.reset_tzpath() may point
    # the process at other tz data; a zone file is a few kilobytes)
    for directory in zoneinfo.TZPATH:
        path = os.path.join(directory, key)
        if os.path.isfile(path):
            with open(path, "rb") as file:
                data = file.read()
            return DataSource(
                "tzdata", key, f"{_system_version(directory)} (system tz database)", _digest(data)
            )
    try:
        package = importlib.import_module("tzdata")
        resource = importlib.resources.files("tzdata.zoneinfo").joinpath(*key.split("/"))
        data = resource.read_bytes()
        version = f"{getattr(package, 'IANA_VERSION', 'unknown')} (tzdata package)"
    except (ImportError, OSError, AttributeError):  # zoneinfo found it some other way
        data, version = key.encode(), "unknown"
    return DataSource("tzdata", key, version, _digest(data))


def _system_version(directory: str) -> str:
    """The tz database release of a system directory (``tzdata.zi`` starts with it)."""
    try:
        with open(os.path.join(directory, "tzdata.zi"), encoding="ascii") as file:
            first = file.readline().strip()
    except (OSError, UnicodeDecodeError):
        return "unknown release"
    prefix = "# version "
    return first[len(prefix) :] if first.startswith(prefix) else "unknown release"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]
