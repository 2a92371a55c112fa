"""Small policies shared by the loader and engine tests.

``MINIMAL`` is the smallest valid policy (as YAML text and, via :func:`minimal`, as a mapping
to vary section by section). ``ENGINE`` exercises every stage of evaluation on a calendar
without country holidays, so its deadlines can be worked out by hand and it never warns
about holiday data, whatever the date the tests run on. ``SERVICE_LEVELS`` is the sample
policy shipped in ``policies/``.
"""

from __future__ import annotations

import copy
import textwrap
from pathlib import Path
from typing import Any

from slapolicy._source.yaml_reader import read_yaml

ROOT = Path(__file__).resolve().parent.parent
SERVICE_LEVELS = ROOT / "policies" / "service-levels.yaml"

MINIMAL = textwrap.dedent(
    """\
    slapolicy: 1
    name: minimal
    timezone: Asia/Shanghai
    calendars:
      office: {hours: always}
    categories:
      - {id: other}
    priorities:
      - {id: P1}
    slas:
      - id: standard
        targets:
          P1: {response: 1h}
    routing:
      - {owner: desk}
    """
)


def minimal(**sections: Any) -> dict[str, Any]:
    """The minimal policy as a mapping, with the given top-level sections replaced."""
    data = read_yaml(MINIMAL).data
    assert isinstance(data, dict)
    out = copy.deepcopy(data)
    out.update(sections)
    return out


# Working hours Mon-Fri 09:00-12:00 and 13:00-18:00 (8 working hours a day), Asia/Shanghai,
# no holidays: March 2026 starts on a Sunday, so 2026-03-02 is a Monday.
ENGINE = textwrap.dedent(
    """\
    slapolicy: 1
    name: engine
    timezone: Asia/Shanghai
    calendars:
      office:
        hours:
          mon-fri: ["09:00-12:00", "13:00-18:00"]
      always: {hours: always}
    fields:
      impact: {enum: [core, major, minor]}
      urgency: {enum: [high, low]}
      seats: {type: integer}
    categories:
      - {id: outage, label: 故障, when: {type: outage}}
      - {id: billing, label: 账务, when: {type: [invoice, refund]}}
      - {id: other}
    priorities:
      - {id: P1, label: 紧急, when: {impact: core}}
      - {id: P2}
      - {id: P3, when: {category: billing}}
      - {id: P4, label: 低}
    priority_matrix:
      rows: impact
      columns: urgency
      values:
        major: {high: P2, low: P3}
        minor: {high: P3}
    slas:
      - id: big
        when: {seats: {ge: 100}}
        calendar: always
        targets:
          P1: {response: 5m, resolve: 1h}
          P2: {response: 10m, resolve: 2h}
          P3: {response: 1h, resolve: 4h}
          P4: {response: 2h, resolve: 8h}
      - id: standard
        calendar: office
        targets:
          P1: {response: 15m, resolve: 2h, calendar: always}
          P2: {response: 30m, resolve: 4h}
          P3: {response: 2h, resolve: 1d}
          P4: {resolve: 3d}
    routing:
      - {id: big-desk, when: {sla: big}, owner: key-accounts}
      - {id: tech, when: {category: outage}, owner: tech, cc: [boss]}
      - {id: finance, when: {priority: P3}, owner: finance}
      - {id: default, owner: desk}
    owners:
      tech: {lead: boss}
      finance: {lead: boss}
      desk: {lead: desk-lead}
      key-accounts: {lead: boss}
      boss: {}
      desk-lead: {}
    escalation:
      - {id: breach-150, target: resolve, at: 150%, notify: boss}
      - {id: breach, target: resolve, at: 100%, notify: [owner, owner.lead]}
      - {id: warn, target: resolve, at: 75%, notify: owner}
      - {id: last-30m, target: resolve, before: 30m, notify: owner.lead}
      - {id: start, at: 0%, notify: desk-lead, when: {priority: [P1, P2]}}
      - {id: response-early, target: response, before: 10h, notify: owner}
    """
)
