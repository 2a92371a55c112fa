"""Whether durable-rules can be used here, and the one warning of its that is silenced.

durable-rules is an optional extra (``pip install 'slapolicy[durable]'``) with a C
extension, and it is imported only inside functions (:func:`durable_engine`), so loading
slapolicy, or a policy on the native backend, never imports it. Its last release (2.0.28,
2020) does not work on Python 3.13, whose C API no longer has ``PyEval_CallObject``; the
ImportError then says so and points to the native backend.

On Python 3.12 durable-rules calls ``datetime.utcfromtimestamp`` on every action, which
warns with a ``DeprecationWarning``; :func:`quiet` silences that warning, and only it, around
the calls made into durable-rules.
"""

from __future__ import annotations

import contextlib
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

__all__ = ["durable_available", "durable_engine", "quiet", "unavailable_message"]


def unavailable_message(error: BaseException, version: tuple[int, ...]) -> str:
    """Say why durable-rules cannot be used here and what to do instead."""
    if tuple(version[:2]) >= (3, 13):
        return (
            "the durable backend needs durable-rules, which does not work on Python "
            f"{version[0]}.{version[1]} (its C extension calls PyEval_CallObject, removed in "
            "Python 3.13; durable-rules 2.0.28 of 2020 is its last release): use the native "
            f"backend, or Python 3.10-3.12 with pip install 'slapolicy[durable]' ({error})"
        )
    return (
        "the durable backend needs the optional dependency durable-rules: install it with "
        f"pip install 'slapolicy[durable]' (it compiles a C extension) ({error})"
    )


def durable_engine() -> Any:
    """Import ``durable.engine`` lazily, or raise an ImportError that says how to install it."""
    try:
        from durable import engine
    except ImportError as exc:
        version = (sys.version_info.major, sys.version_info.minor)
        raise ImportError(unavailable_message(exc, version)) from exc
    return engine


def durable_available() -> bool:
    """Whether durable-rules can be imported here (the ``durable`` extra, Python < 3.13)."""
    try:
        durable_engine()
    except ImportError:
        return False
    return True


@contextlib.contextmanager
def _quiet_utcfromtimestamp() -> Iterator[None]:
    """Silence durable-rules' DeprecationWarning for ``utcfromtimestamp`` (and only it)."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore",
            message=r"datetime\.datetime\.utcfromtimestamp\(\) is deprecated",
            category=DeprecationWarning,
            module=r"durable\.engine",
        )
        yield


#: the context every call into durable-rules runs in: silences its 3.12 warning, if any
quiet: Callable[[], AbstractContextManager[None]] = (
    _quiet_utcfromtimestamp if sys.version_info >= (3, 12) else contextlib.nullcontext
)
