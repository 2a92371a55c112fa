"""UsedTimes: the exact median, p90 and mean of the review, in bounded memory.

The answers must be those of ``numpy.percentile(values, [50, 90], method="linear")`` and
``math.fsum(values) / n`` to the last bit, whether the values stayed in memory or were
spilled to files, merged from parts, or sent between processes.
"""

from __future__ import annotations

import errno
import gc
import itertools
import math
import multiprocessing
import os
import pickle
import random
import struct
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from slapolicy._clock import used_times
from slapolicy._clock.used_times import Spill, UsedTimes

#: finite values: huge, tiny (subnormal), negative, signed zeros, and many duplicates
SECONDS = st.one_of(
    st.floats(min_value=-1e300, max_value=1e300, allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, -0.0, 1.0, 1.5, -2.0, 5e-324, -5e-324, 1e300, -1e300, 86400.0]),
    st.integers(min_value=0, max_value=3).map(float),
)
VALUES = st.lists(SECONDS, min_size=1, max_size=200)


@contextmanager
def small(buffer: int, select: int, chunk: int) -> Iterator[None]:
    """Tiny buffer, selection and chunk sizes, so that spilling and many passes happen."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(used_times, "BUFFER_VALUES", buffer)
        patch.setattr(used_times, "_SELECT_VALUES", select)
        patch.setattr(used_times, "_CHUNK_VALUES", chunk)
        yield


def same(got: float | None, want: float) -> None:
    """Equal, and equal bits (a zero may have either sign)."""
    assert got is not None
    assert got == want
    if want != 0:
        assert struct.pack("<d", got) == struct.pack("<d", want)


def check(times: UsedTimes, values: list[float]) -> None:
    assert len(times) == len(values)
    median, p90 = np.percentile(np.asarray(values, dtype=np.float64), [50, 90], method="linear")
    got_median, got_p90 = times.percentiles()
    same(got_median, float(median))
    same(got_p90, float(p90))
    same(times.mean(), math.fsum(values) / len(values))


def filled(values: list[float], spill: Spill | None) -> UsedTimes:
    times = UsedTimes(spill)
    for value in values:
        times.append(value)
    return times


@given(
    values=VALUES,
    buffer=st.integers(1, 7),
    select=st.integers(1, 5),
    chunk=st.integers(1, 5),
    spilled=st.booleans(),
)
def test_answers_equal_numpy_to_the_last_bit(
    values: list[float], buffer: int, select: int, chunk: int, spilled: bool
) -> None:
    with small(buffer, select, chunk):
        spill = Spill() if spilled else None
        times = filled(values, spill)
        if spilled and len(values) >= buffer:
            assert len(times._buffer) < buffer
            assert spill is not None
            assert os.listdir(spill.folder)
        check(times, values)


def test_values_that_differ_only_in_their_last_bits() -> None:
    """Keys sharing their top 48 bits: every 16-bit digit pass is needed."""
    rng = random.Random(7)
    base = np.float64(1.0)
    values = [float(base + k * np.finfo(np.float64).eps) for k in range(300)]
    values += [float(-base - k * np.finfo(np.float64).eps) for k in range(100)]
    rng.shuffle(values)
    with small(5, 3, 7):
        check(filled(values, Spill()), values)


def test_many_equal_values() -> None:
    """All the candidates share one key: the selection ends without sorting them."""
    values = [3.25] * 500 + [1.0] * 20 + [7.0] * 100
    with small(4, 2, 9):
        check(filled(values, Spill()), values)


@given(
    values=VALUES,
    cuts=st.lists(st.integers(0, 200), max_size=5),
    kinds=st.lists(st.sampled_from(["none", "shared", "own"]), min_size=6, max_size=6),
    target=st.sampled_from(["none", "shared", "own"]),
    rng=st.randoms(use_true_random=False),
    buffer=st.integers(1, 7),
    select=st.integers(1, 5),
)
def test_merging_parts_in_any_order_equals_one_whole(
    values: list[float],
    cuts: list[int],
    kinds: list[str],
    target: str,
    rng: random.Random,
    buffer: int,
    select: int,
) -> None:
    with small(buffer, select, 3):
        shared = Spill()
        bounds = sorted({0, len(values), *(c for c in cuts if c < len(values))})
        parts: list[UsedTimes] = []
        for kind, (start, end) in zip(kinds, itertools.pairwise(bounds), strict=False):
            spill = {"none": None, "shared": shared, "own": Spill()}[kind]
            parts.append(filled(values[start:end], spill))
        rng.shuffle(parts)
        whole = UsedTimes({"none": None, "shared": shared, "own": Spill()}[target])
        for part in parts:
            whole.merge(part)
        del parts, part, spill, shared
        gc.collect()  # the parts' own Spills are gone: their files must still be readable
        check(whole, values)
        check(filled(values, Spill()), values)


def test_merging_with_itself_doubles_the_values() -> None:
    values = [float(v) for v in range(25)]
    with small(4, 3, 5):
        times = filled(values, Spill())
        times.merge(times)
        check(times, values + values)


@given(values=VALUES, buffer=st.integers(1, 7), spilled=st.booleans())
def test_pickling_keeps_the_answers(values: list[float], buffer: int, spilled: bool) -> None:
    with small(buffer, 2, 3):
        spill = Spill() if spilled else None
        times = filled(values, spill)
        copy = pickle.loads(pickle.dumps(times))
        assert len(copy._buffer) == len(times._buffer)
        check(copy, values)
        copy.merge(times)
        check(copy, values + values)


def test_an_unpickled_spill_never_removes_the_owners_folder() -> None:
    owner = Spill()
    assert owner.owner
    with small(3, 2, 2):
        times = filled([float(v) for v in range(20)], owner)
    folder = owner.folder
    assert Path(folder).name.startswith("slapolicy-review-")
    copy = pickle.loads(pickle.dumps(times))
    spill = pickle.loads(pickle.dumps(owner))
    assert not spill.owner
    assert spill.folder == folder
    del copy, spill
    gc.collect()
    assert os.path.isdir(folder)
    check(times, [float(v) for v in range(20)])
    del times, owner
    gc.collect()
    assert not os.path.exists(folder)


def test_pickling_an_unused_owner_makes_its_folder() -> None:
    owner = Spill()
    copy = pickle.loads(pickle.dumps(owner))
    assert os.path.isdir(copy.folder)
    assert copy.folder == owner.folder
    path = copy.new_file()
    assert os.path.dirname(path) == owner.folder
    assert path != copy.new_file()


def test_a_given_folder_is_never_removed(tmp_path: Path) -> None:
    spill = Spill(str(tmp_path))
    assert not spill.owner
    with small(2, 2, 2):
        times = filled([1.0, 2.0, 3.0, 4.0, 5.0], spill)
    assert os.listdir(tmp_path)
    del times, spill
    gc.collect()
    assert tmp_path.is_dir()
    assert os.listdir(tmp_path)


def test_a_forked_copy_of_the_owner_does_not_remove_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "review"
    folder.mkdir()
    used_times._remove(str(folder), os.getpid() + 1)
    assert folder.is_dir()
    used_times._remove(str(folder), os.getpid())
    assert not folder.exists()


def _values(seed: int, count: int) -> list[float]:
    rng = random.Random(seed)
    return [rng.lognormvariate(8, 2) if rng.random() < 0.9 else 0.0 for _ in range(count)]


def _fill(spill: Spill, seed: int, count: int) -> tuple[UsedTimes, int]:
    """A worker's part: its values, spilled into the parent's folder."""
    assert not spill.owner
    return filled(_values(seed, count), spill), os.getpid()


@pytest.mark.parametrize(
    "method", [m for m in ("fork", "spawn") if m in multiprocessing.get_all_start_methods()]
)
def test_parts_made_in_worker_processes(method: str) -> None:
    owner = Spill()
    seeds = [11, 12, 13]
    count = 40_000
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        results = list(pool.map(_fill, [owner] * len(seeds), seeds, [count] * len(seeds)))
    whole = UsedTimes(owner)
    for part, pid in results:
        assert pid != os.getpid()
        assert len(part._buffer) < used_times.BUFFER_VALUES
        whole.merge(part)
    del results
    names = os.listdir(owner.folder)
    assert any(not name.startswith(f"{os.getpid()}-") for name in names)
    values = [v for seed in seeds for v in _values(seed, count)]
    check(whole, values)


def test_empty() -> None:
    for times in (UsedTimes(), UsedTimes(Spill())):
        assert len(times) == 0
        assert times.percentiles() == (None, None)
        assert times.mean() is None
        times.merge(UsedTimes())
        assert times.percentiles() == (None, None)


def test_without_numpy_everything_stays_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(used_times, "_numpy", lambda: None)
    monkeypatch.setattr(used_times, "BUFFER_VALUES", 4)
    owner = Spill()
    values = [float(v % 7) * 1.25 - 3.0 for v in range(50)]
    times = filled(values, owner)
    assert len(times._buffer) == len(values)
    assert not os.listdir(owner.folder)
    check(times, values)
    other = filled([1e-300, 2.5], Spill())
    times.merge(other)
    check(times, [*values, 1e-300, 2.5])


def test_memory_stays_bounded() -> None:
    rng = np.random.default_rng(5)
    values = (rng.exponential(3600.0, 200_000) * rng.integers(0, 3, 200_000)).tolist()
    owner = Spill()
    times = UsedTimes(owner)
    for value in values:
        times.append(value)
        assert len(times._buffer) < used_times.BUFFER_VALUES
    assert len(times) == len(values)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(used_times, "_CHUNK_VALUES", 1 << 14)
        patch.setattr(used_times, "_SELECT_VALUES", 1 << 10)
        check(times, values)
    check(times, values)


def test_flush_writes_what_memory_holds_and_keeps_the_answers(tmp_path: Path) -> None:
    values = [float(v % 97) * 1.5 for v in range(1000)]
    spilled = filled(values, Spill(str(tmp_path)))
    spilled.flush()
    assert len(spilled._buffer) == 0  # (only the file's name would travel now)
    assert sum(path.stat().st_size for path in tmp_path.iterdir()) == 8 * len(values)
    check(pickle.loads(pickle.dumps(spilled)), values)
    kept = filled(values, None)
    kept.flush()  # no spill: the values stay in memory
    assert len(kept._buffer) == len(values)
    check(kept, values)


def test_a_full_disk_is_an_os_error_naming_the_spill_file(monkeypatch: pytest.MonkeyPatch) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("needs /dev/full (Linux)")
    spill = Spill()
    monkeypatch.setattr(spill, "new_file", lambda: "/dev/full")
    times = UsedTimes(spill)
    for value in range(used_times.BUFFER_VALUES - 1):
        times.append(float(value))
    with pytest.raises(OSError, match="No space left") as caught:
        times.append(1.0)  # (the buffer is full: it is written out)
    assert caught.value.errno == errno.ENOSPC
    assert caught.value.filename == "/dev/full"
