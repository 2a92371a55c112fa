"""The public surface: what `import slapolicy` promises, and nothing private leaks."""

from __future__ import annotations

import importlib
import pickle
import pkgutil
import subprocess
import sys

import pytest

import slapolicy

SPEC_NAMES = {
    "load_policy",
    "Policy",
    "Calendar",
    "parse_duration",
    "Decision",
    "Target",
    "SlaStatus",
    "TargetStatus",
    "SlaPolicyError",
    "PolicyError",
    "CalendarError",
    "TicketError",
}


def test_all_is_sorted_and_complete() -> None:
    assert list(slapolicy.__all__) == sorted(slapolicy.__all__)
    for name in slapolicy.__all__:
        assert hasattr(slapolicy, name), name
    assert set(slapolicy.__all__) >= SPEC_NAMES


def test_error_tree() -> None:
    for error in (slapolicy.PolicyError, slapolicy.CalendarError, slapolicy.TicketError):
        assert issubclass(error, slapolicy.SlaPolicyError)
    assert issubclass(slapolicy.SlaPolicyError, ValueError)


def test_testing_module_is_importable() -> None:
    testing = importlib.import_module("slapolicy.testing")
    assert testing.__all__


@pytest.mark.parametrize(
    "error",
    [
        slapolicy.PolicyError([slapolicy.Problem("bad", "a.b", "x.yaml", 3, 4)]),
        slapolicy.CalendarError("bad", issues=[(("hours",), "bad")]),
        slapolicy.TicketError("bad"),
    ],
    ids=["policy", "calendar", "ticket"],
)
def test_errors_pickle_with_their_details(error: slapolicy.SlaPolicyError) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert getattr(copy, "problems", None) == getattr(error, "problems", None)
    assert getattr(copy, "issues", None) == getattr(error, "issues", None)


#: the modules a user may import; everything else has a leading underscore
PUBLIC_MODULES = {"slapolicy", "slapolicy.testing", "slapolicy.cli", "slapolicy.spark"}


def test_every_other_module_is_private() -> None:
    found = {"slapolicy"}
    for info in pkgutil.walk_packages(slapolicy.__path__, "slapolicy."):
        if not any(part.startswith("_") for part in info.name.split(".")[1:]):
            found.add(info.name)
    assert found == PUBLIC_MODULES


def test_python_m_slapolicy_runs_the_command_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "slapolicy", "--version"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith(slapolicy.__version__)
