"""The committed JSON Schema (docs/policy.schema.json) is the one the models generate."""

from __future__ import annotations

import json
from pathlib import Path

from slapolicy._source.schema import PolicySpec

ROOT = Path(__file__).resolve().parent.parent


def test_committed_schema_matches_models() -> None:
    committed = json.loads((ROOT / "docs" / "policy.schema.json").read_text(encoding="utf-8"))
    assert committed == PolicySpec.model_json_schema(), (
        "regenerate it: slapolicy schema > docs/policy.schema.json"
    )


def test_every_sample_policy_points_editors_at_the_schema() -> None:
    for path in sorted((ROOT / "policies").glob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../docs/policy.schema.json", path.name


def test_schema_forbids_unknown_top_level_keys() -> None:
    schema = PolicySpec.model_json_schema()
    assert schema["additionalProperties"] is False
    assert {"calendars", "categories", "priorities", "slas", "routing"} <= set(schema["required"])
