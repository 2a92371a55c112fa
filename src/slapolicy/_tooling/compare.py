"""``slapolicy diff`` on a file: the batch engine when the ``batch`` extra is installed, else
ticket by ticket (the same report)."""

from __future__ import annotations

from collections.abc import Callable

from .._policy import Policy
from .impact import ImpactReport, compare_stream

__all__ = ["compare_path"]


def compare_path(
    old: Policy,
    new: Policy,
    path: str,
    *,
    per_kind: int = 3,
    jobs: int = 1,
    parquet: bool = False,
    on_bytes: Callable[[int], object] | None = None,
) -> ImpactReport:
    """Compare ``old`` and ``new`` on the tickets of a file (what ``slapolicy diff`` runs).

    With the ``batch`` extra, in batches on ``jobs`` processes (:mod:`.batch_impact`);
    without it, JSON lines ticket by ticket in this process: the same report, slower.
    Parquet needs the extra (:class:`ImportError` naming it).
    """
    try:
        from .batch_impact import compare_file
    except ImportError as exc:
        if parquet:
            raise ImportError(
                f"reading Parquet needs pyarrow ({exc}): pip install 'slapolicy[batch]'"
            ) from None
        with open(path, "rb") as stream:
            report = ImpactReport(per_kind=per_kind)
            return compare_stream(old, new, stream, report, on_bytes=on_bytes)
    return compare_file(
        old, new, path, per_kind=per_kind, jobs=jobs, parquet=parquet, on_bytes=on_bytes
    )
