"""Shared test configuration.

Hypothesis profiles: ``dev`` (the default, quick) and ``ci`` (more examples). Select one with
the environment variable ``HYPOTHESIS_PROFILE`` (``HYPOTHESIS_PROFILE=ci pytest``); under CI
(the ``CI`` variable set, as .ci/run has it) the default is ``ci``.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("dev", max_examples=25, deadline=None, print_blob=True)
settings.register_profile("ci", max_examples=300, deadline=None, print_blob=True)
_default = "ci" if os.environ.get("CI") else "dev"
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or _default)
