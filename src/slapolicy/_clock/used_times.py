"""The working time every timed cycle used, kept in bounded memory (:class:`UsedTimes`).

The review reports the exact median, p90 and mean of these seconds, to the last bit of
``numpy.percentile(values, [50, 90], method="linear")`` and ``math.fsum(values) / n``. Over
millions of histories the values do not fit in memory, so a :class:`UsedTimes` holds at most
:data:`BUFFER_VALUES` of them and writes the rest to a file in a :class:`Spill` folder (when
numpy, the batch extra, is installed). The order statistics are then found by exact radix
selection over the float64 bit patterns, 16 bits at a time, reading the files in chunks; the
mean is ``math.fsum`` fed chunk by chunk. Memory is bounded by the chunk sizes, never by the
number of values.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import shutil
import struct
import tempfile
import uuid
import weakref
from array import array
from collections.abc import Callable, Iterable, Iterator
from types import ModuleType
from typing import Any, NamedTuple

__all__ = ["BUFFER_VALUES", "Spill", "UsedTimes"]

#: values a UsedTimes holds in memory before it writes them to its spill file
BUFFER_VALUES = 1 << 14
#: values read from a file (or the buffer) at once
_CHUNK_VALUES = 1 << 18
#: a selection stops narrowing and sorts the candidates once at most this many are left
_SELECT_VALUES = 1 << 18
#: bits of the float64 key decided by one counting pass
_DIGIT_BITS = 16
_DIGITS = 1 << _DIGIT_BITS
_SIGN = 1 << 63
_ALL_BITS = (1 << 64) - 1
#: a limit the buffer never reaches: everything stays in memory
_NEVER = 1 << 62
#: the percentiles the review reports, as numpy computes ``[50, 90] / 100``
_QUANTILES = (50 / 100, 90 / 100)


def _numpy() -> ModuleType | None:
    """numpy when it is installed, else None (the one place that decides whether to spill)."""
    try:
        import numpy
    except ImportError:  # pragma: no cover - numpy comes with the batch extra
        return None
    return numpy


def _remove(folder: str, pid: int) -> None:
    """Remove an owner's folder, only in the process that made it (not in a forked child)."""
    if os.getpid() == pid:
        shutil.rmtree(folder, ignore_errors=True)


class Spill:
    """A temporary folder that the used times of one review overflow into.

    ``Spill()`` owns its folder: it is made on first use and removed when the Spill is
    collected or at exit. ``Spill(folder)`` only writes into ``folder``. A pickled Spill
    (sent to a worker process) comes back as a non-owner of the same folder, so that no
    copy ever removes the owner's folder.
    """

    def __init__(self, folder: str | None = None) -> None:
        self._folder = folder
        self._owner = folder is None

    @property
    def folder(self) -> str:
        """The folder's path, made now if this owner had not made it yet."""
        if self._folder is None:
            self._folder = tempfile.mkdtemp(prefix="slapolicy-review-")
            weakref.finalize(self, _remove, self._folder, os.getpid())
        return self._folder

    @property
    def owner(self) -> bool:
        """Whether this Spill removes its folder when it is collected."""
        return self._owner

    def new_file(self) -> str:
        """A path for a new file in the folder, unique across processes."""
        return os.path.join(self.folder, f"{os.getpid()}-{uuid.uuid4().hex}.f64")

    def __reduce__(self) -> tuple[type[Spill], tuple[str]]:
        return Spill, (self.folder,)

    def __repr__(self) -> str:
        role = "owner" if self._owner else "writer"
        return f"Spill({self._folder!r}, {role})"


class _File(NamedTuple):
    """``size`` float64 values at the start of ``path``; ``spill`` keeps the folder alive."""

    path: str
    size: int
    spill: Spill


class UsedTimes:
    """The seconds of working time each timed cycle used (one metric, one group).

    Appending is cheap; past :data:`BUFFER_VALUES` values the buffer goes to this object's
    spill file. :meth:`percentiles` and :meth:`mean` are exact over all values.
    """

    __slots__ = ("_buffer", "_files", "_limit", "_path", "_pid", "_spill", "_written")

    def __init__(self, spill: Spill | None = None) -> None:
        self._buffer = array("d")
        self._spill = spill
        #: buffer length that triggers a flush
        self._limit = BUFFER_VALUES if spill is not None else _NEVER
        #: this object's own spill file (made by process ``_pid``) and its values
        self._path: str | None = None
        self._pid = 0
        self._written = 0
        #: files taken over from merged objects (or from another process)
        self._files: list[_File] = []

    def append(self, seconds: float) -> None:
        """Add one cycle's seconds."""
        self._buffer.append(seconds)
        if len(self._buffer) >= self._limit:
            self._flush()

    def flush(self) -> None:
        """Write the values held in memory to the spill file, if there is one (a report
        about to travel to another process then carries only the file's name)."""
        if self._buffer and self._spill is not None:
            self._flush()

    def __len__(self) -> int:
        return len(self._buffer) + self._written + sum(file.size for file in self._files)

    def __repr__(self) -> str:
        return f"UsedTimes({len(self)} values, {len(self._buffer)} in memory)"

    def merge(self, other: UsedTimes) -> None:
        """Add ``other``'s values: its buffer is copied, its files are shared, not copied."""
        files = other._all_files()
        values = other._buffer
        self._files.extend(files)
        self._buffer.extend(array("d", values) if other is self else values)
        if len(self._buffer) >= self._limit:
            self._flush()

    def percentiles(self) -> tuple[float | None, float | None]:
        """The median and p90, as ``numpy.percentile(values, [50, 90])`` gives them (method
        ``linear``), to the last bit; ``(None, None)`` when there is no value."""
        n = len(self)
        if not n:
            return None, None
        np = _numpy()
        if not self._written and not self._files:
            if np is None:
                ordered = sorted(self._buffer).__getitem__
                return _linear(ordered, n, _QUANTILES[0]), _linear(ordered, n, _QUANTILES[1])
            found = np.percentile(
                np.asarray(self._buffer, dtype=np.float64), [50, 90], method="linear"
            )
            return float(found[0]), float(found[1])
        at: Callable[[int], float]
        if np is None:  # pragma: no cover - files are written only when numpy is there
            at = sorted(itertools.chain.from_iterable(self._chunks())).__getitem__
        else:
            ranks = {rank for q in _QUANTILES for rank in _ranks(n, q)}
            at = _select(np, self._chunks, n, ranks).__getitem__
        return _linear(at, n, _QUANTILES[0]), _linear(at, n, _QUANTILES[1])

    def mean(self) -> float | None:
        """``math.fsum(values) / n`` exactly, reading the files chunk by chunk."""
        n = len(self)
        if not n:
            return None
        return math.fsum(itertools.chain.from_iterable(self._chunks())) / n

    def __getstate__(self) -> tuple[array[float], list[_File], Spill | None]:
        return self._buffer, self._all_files(), self._spill

    def __setstate__(self, state: tuple[array[float], list[_File], Spill | None]) -> None:
        self._buffer, self._files, self._spill = state
        self._limit = BUFFER_VALUES if self._spill is not None else _NEVER
        self._path, self._pid, self._written = None, 0, 0

    # -- inside

    def _flush(self) -> None:
        """Write the buffer to this object's spill file, or keep everything in memory."""
        spill = self._spill
        if spill is None or _numpy() is None:
            self._limit = _NEVER
            return
        if self._path is None or self._pid != os.getpid():
            # a first flush, or an object copied into another process (fork): a file of
            # this process, the other one keeps what was written to it
            if self._path is not None and self._written:
                self._files.append(_File(self._path, self._written, spill))
            self._path, self._pid, self._written = spill.new_file(), os.getpid(), 0
        try:
            with open(self._path, "ab") as out:
                self._buffer.tofile(out)
        except BaseException as exc:
            # a failed write (disk full): the file keeps exactly the values counted so far
            with contextlib.suppress(OSError):
                os.truncate(self._path, self._written * 8)
            if isinstance(exc, OSError) and exc.filename is None:  # say which file
                raise OSError(exc.errno, exc.strerror or str(exc), self._path) from None
            raise
        self._written += len(self._buffer)
        self._buffer = array("d")

    def _all_files(self) -> list[_File]:
        """The files holding this object's spilled values, its own one included."""
        files = list(self._files)
        if self._path is not None and self._written and self._spill is not None:
            files.append(_File(self._path, self._written, self._spill))
        return files

    def _chunks(self) -> Iterator[array[float]]:
        """All values, at most :data:`_CHUNK_VALUES` at a time: the files, then the buffer."""
        step = max(1, _CHUNK_VALUES)
        for file in self._all_files():
            with open(file.path, "rb") as source:
                left = file.size
                while left:
                    chunk = array("d")
                    chunk.fromfile(source, min(step, left))
                    left -= len(chunk)
                    yield chunk
        buffer = self._buffer
        for start in range(0, len(buffer), step):
            yield buffer[start : start + step]


def _ranks(n: int, q: float) -> tuple[int, ...]:
    """The 0-based ranks of the sorted values that :func:`_linear` reads."""
    index = (n - 1) * q
    low = math.floor(index)
    return (n - 1,) if index >= n - 1 else (low, low + 1)


def _linear(at: Callable[[int], float], n: int, q: float) -> float:
    """numpy's ``linear`` percentile of ``n`` sorted values (``at(rank)`` is the value at a
    0-based rank): the same operations as numpy, so the same bits."""
    index = (n - 1) * q
    low = math.floor(index)
    if index >= n - 1:
        return at(n - 1)
    a, b = at(low), at(low + 1)
    t = index - low
    diff = b - a
    return b - diff * (1 - t) if t >= 0.5 else a + diff * t


def _keys(np: Any, chunk: array[float]) -> Any:
    """uint64 keys of float64 values, in the same order as the values: the sign bit of a
    non-negative value is set, every bit of a negative one is inverted."""
    bits = np.frombuffer(chunk, dtype=np.uint64)
    flip = (bits.view(np.int64) >> 63).view(np.uint64) | np.uint64(_SIGN)
    return bits ^ flip


def _value(key: int) -> float:
    """The float64 whose key (:func:`_keys`) is ``key``."""
    bits = key ^ _SIGN if key & _SIGN else key ^ _ALL_BITS
    value: float = struct.unpack("=d", struct.pack("=Q", bits))[0]
    return value


class _Group:
    """Values whose keys start with ``prefix`` (``bits`` long): ``count`` of them, among
    which the wanted ``ranks`` (absolute rank, rank inside the group) lie."""

    __slots__ = ("bits", "count", "prefix", "ranks")

    def __init__(self, bits: int, prefix: int, count: int, ranks: list[tuple[int, int]]) -> None:
        self.bits = bits
        self.prefix = prefix
        self.count = count
        self.ranks = ranks

    def members(self, keys: Any) -> Any:
        """The keys of a chunk that belong to this group."""
        return keys if not self.bits else keys[(keys >> (64 - self.bits)) == self.prefix]


def _select(
    np: Any, chunks: Callable[[], Iterable[array[float]]], n: int, ranks: Iterable[int]
) -> dict[int, float]:
    """The values at the given 0-based ``ranks`` of the sorted values, by exact radix
    selection: each pass over ``chunks()`` decides 16 more bits of the wanted keys, until few
    enough candidates are left to be sorted in memory."""
    found: dict[int, float] = {}
    groups = [_Group(0, 0, n, [(rank, rank) for rank in sorted(ranks)])]
    while groups:
        counting = [g for g in groups if g.count > _SELECT_VALUES]
        sorting = [g for g in groups if g.count <= _SELECT_VALUES]
        counts = [np.zeros(_DIGITS, dtype=np.int64) for _ in counting]
        kept: list[list[Any]] = [[] for _ in sorting]
        for chunk in chunks():
            keys = _keys(np, chunk)
            for group, histogram in zip(counting, counts, strict=True):
                shift = 64 - group.bits - _DIGIT_BITS
                digits = (group.members(keys) >> shift) & (_DIGITS - 1)
                histogram += np.bincount(digits.astype(np.intp), minlength=_DIGITS)
            for group, parts in zip(sorting, kept, strict=True):
                members = group.members(keys)
                if len(members):
                    parts.append(members)
        for group, parts in zip(sorting, kept, strict=True):
            ordered = np.sort(np.concatenate(parts)) if parts else np.zeros(0, np.uint64)
            for rank, inside in group.ranks:
                found[rank] = _value(int(ordered[inside]))
        groups = []
        for group, histogram in zip(counting, counts, strict=True):
            ends = np.cumsum(histogram)
            narrower: dict[int, _Group] = {}
            for rank, inside in group.ranks:
                digit = int(np.searchsorted(ends, inside, side="right"))
                before = int(ends[digit - 1]) if digit else 0
                if digit not in narrower:
                    narrower[digit] = _Group(
                        group.bits + _DIGIT_BITS,
                        (group.prefix << _DIGIT_BITS) | digit,
                        int(histogram[digit]),
                        [],
                    )
                narrower[digit].ranks.append((rank, inside - before))
            for child in narrower.values():
                if child.bits == 64:  # every candidate has the same key
                    for rank, _ in child.ranks:
                        found[rank] = _value(child.prefix)
                else:
                    groups.append(child)
    return found
