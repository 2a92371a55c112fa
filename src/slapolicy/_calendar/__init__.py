"""Business calendars: specs, working windows and exact working-time arithmetic.

The array functions (:mod:`.vector`: ``deadlines_array`` and its kin) need numpy, the
``batch`` extra: they are imported on first use, so that ``import slapolicy`` does not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .calendar import Calendar, HolidayDataWarning
from .instants import InstantReader
from .provenance import DataSource, zone_source

if TYPE_CHECKING:
    from .vector import deadlines_array, deadlines_array_masked, deadlines_arrays_masked

__all__ = [
    "Calendar",
    "DataSource",
    "HolidayDataWarning",
    "InstantReader",
    "deadlines_array",
    "deadlines_array_masked",
    "deadlines_arrays_masked",
    "zone_source",
]

_VECTOR = frozenset({"deadlines_array", "deadlines_array_masked", "deadlines_arrays_masked"})


def __getattr__(name: str) -> object:
    if name not in _VECTOR:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        from . import vector
    except ModuleNotFoundError as exc:
        raise ImportError(
            f"{name} needs numpy: install the batch extra (pip install 'slapolicy[batch]')"
        ) from exc
    return getattr(vector, name)
