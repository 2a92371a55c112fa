"""The documentation cannot silently rot.

* The site builds with ``mkdocs build --strict`` (no broken links, every page in the nav).
* Every ```yaml block of the docs that starts with ``slapolicy: 1`` is a complete policy:
  it loads, and its ``examples:`` pass.
* The walkthrough's final policy is the sample ``policies/service-levels.yaml``.
* Every ```python block of the pages that promise runnable samples (the API page, the home
  page and the worked examples of the deadline page) runs, each in a fresh namespace with the
  repository root as the working directory.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import slapolicy
from slapolicy._tooling.examples import run_examples

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

#: pages whose ```python blocks must run as written
RUNNABLE_PAGES = ("index.md", "api.md", "deadlines.md", "clock.md")

_FENCE = re.compile(r"^```(?P<lang>[\w.+-]*)[^\n]*\n(?P<body>.*?)^```[ \t]*$", re.M | re.S)


def _blocks(page: str, lang: str) -> Iterator[tuple[int, str]]:
    """``(line, code)`` of every fenced block of language ``lang`` on a page."""
    path = DOCS / page
    if not path.is_file():  # reported by test_docs_have_runnable_samples
        return
    text = path.read_text(encoding="utf-8")
    for match in _FENCE.finditer(text):
        if match.group("lang") == lang:
            line = text.count("\n", 0, match.start()) + 1
            yield line, match.group("body")


def _policy_blocks() -> list[pytest.ParameterSet]:
    params = []
    for path in sorted(DOCS.glob("*.md")):
        for line, body in _blocks(path.name, "yaml"):
            if body.lstrip().startswith("slapolicy: 1"):
                params.append(pytest.param(body, id=f"{path.name}:{line}"))
    return params


def _python_blocks() -> list[pytest.ParameterSet]:
    return [
        pytest.param(body, id=f"{page}:{line}")
        for page in RUNNABLE_PAGES
        for line, body in _blocks(page, "python")
    ]


def test_docs_have_runnable_samples() -> None:
    """The collection below is not silently empty (a renamed page, a changed fence)."""
    policy_ids = [str(p.id) for p in _policy_blocks()]
    for guide in ("ops-guide.md", "ops-guide.zh.md", "walkthrough.md"):
        assert any(i.startswith(f"{guide}:") for i in policy_ids), f"no complete policy in {guide}"
    python_ids = [str(p.id) for p in _python_blocks()]
    for page in ("api.md", "deadlines.md"):
        assert any(i.startswith(f"{page}:") for i in python_ids), f"no Python sample in {page}"


@pytest.mark.parametrize("text", _policy_blocks())
def test_policy_block_loads_and_its_examples_pass(text: str) -> None:
    policy = slapolicy.load_policy(text)
    failures = [
        f"{r.name}: {r.error or '; '.join(map(str, r.mismatches))}"
        for r in run_examples(policy)
        if not r.passed
    ]
    assert not failures, "\n".join(failures)


def test_walkthrough_ends_with_the_sample_policy() -> None:
    """The walkthrough's whole file is ``policies/service-levels.yaml`` (same meaning)."""
    blocks = [body for _, body in _blocks("walkthrough.md", "yaml")]
    complete = [body for body in blocks if body.lstrip().startswith("slapolicy: 1")]
    assert complete, "walkthrough.md shows no complete policy"
    shown = slapolicy.load_policy(complete[-1])
    sample = slapolicy.load_policy(ROOT / "policies" / "service-levels.yaml")
    assert shown.version == sample.version, (
        "docs/walkthrough.md no longer matches policies/service-levels.yaml: update the "
        "walkthrough (its steps, its last block and the outputs it quotes)"
    )


@pytest.mark.parametrize("code", _python_blocks())
def test_python_block_runs(code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    exec(compile(code, "<docs>", "exec"), namespace)


def test_site_builds_strict(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs", reason="mkdocs is not installed (pip install mkdocs)")
    env = {**os.environ, "PYTHONWARNINGS": "ignore::DeprecationWarning"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stderr}"
    assert (tmp_path / "index.html").is_file()
    assert (tmp_path / "ops-guide" / "index.html").is_file()
