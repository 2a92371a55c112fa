"""Tooling for ops: lint findings, running a policy's examples, the impact of a change."""
