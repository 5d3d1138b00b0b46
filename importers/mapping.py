"""The mapping of a source's values onto ours (the YAML file of ``--map``), and its defaults.

The defaults are guessed from the values the source has (``Source.describe_values``) by their
words ("closed", "erledigt", "pending" …); ``--dry-run`` prints them as YAML to copy and edit.
See the package docstring for the file's shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from accounts.models import Tier
from tickets.models import Priority, Ticket

STATES = [s.value for s in Ticket.Status]
PRIORITIES = [p.value for p in Priority]

_STATE_WORDS = [
    (r"clos|geschlossen|archiv|duplicate|merged|spam|deleted|cancel", "closed"),
    (r"resol|solved|done|fixed|erledigt|gelöst|answered", "resolved"),
    (r"pend|wait|hold|on.?hold|warte", "pending"),
    (r"^new$|^neu$|unassigned|^new\b", "new"),
    (r"open|reopen|progress|assigned|active|offen|bearbeit", "open"),
]
_PRIORITY_WORDS = [
    (r"^1\b|crit|urgent|emergency|kritisch|dringend|^p1$", "P1"),
    (r"^2\b|high|hoch|^p2$", "P2"),
    (r"^3\b|normal|medium|mittel|^p3$", "P3"),
    (r"^[45]\b|low|niedrig|minor|^p4$", "P4"),
]


SECTIONS = ("states", "priorities", "queues", "categories", "custom_fields", "columns")


class MappingError(ValueError):
    """The mapping file itself is wrong (not YAML, a value we do not have): the import stops."""


def guess_state(value: str) -> str | None:
    text = str(value).strip().lower()
    if text in STATES:
        return text
    for pattern, state in _STATE_WORDS:
        if re.search(pattern, text):
            return state
    return None


def guess_priority(value: str) -> str | None:
    text = str(value).strip().lower()
    if text.upper() in PRIORITIES:
        return text.upper()
    for pattern, priority in _PRIORITY_WORDS:
        if re.search(pattern, text):
            return priority
    return None


@dataclass
class Mapping:
    states: dict[str, str | None] = field(default_factory=dict)
    priorities: dict[str, str] = field(default_factory=dict)
    # source queue → {"team": our team's name, "tier": 1..3}
    queues: dict[str, dict[str, Any]] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)
    # source custom field → "tag" | "ignore"
    custom_fields: dict[str, str] = field(default_factory=dict)
    # Used for a value the map lacks (counted as unmapped); a state of None skips such tickets.
    default_state: str | None = None
    default_priority: str = "P3"
    default_tier: int = 1
    # A ticket closed in the source without a resolution time counts as resolved when it was closed
    # (django-helpdesk, osTicket: "closed" is "done"), so the metrics see it solved.
    closed_counts_as_resolved: bool = True
    # Keep the original number as our reference (HD-000123 for #123) when it is a free number.
    keep_numbers: bool = True
    kb_language: str = "en"
    # For the csv source: our field → the CSV's column header (see ``importers.sources.csv_source``).
    columns: dict[str, str] = field(default_factory=dict)

    @classmethod
    def defaults(cls, values: dict[str, list[str]]) -> Mapping:
        m = cls()
        for v in values.get("states", []):
            # None: not guessed; such tickets are skipped (unknown_state) unless the file maps the value
            # or sets ``default_state``.
            m.states[str(v)] = guess_state(v)
        for v in values.get("priorities", []):
            m.priorities[str(v)] = guess_priority(v) or "P3"
        for v in values.get("queues", []):
            m.queues[str(v)] = {"team": str(v)[:100], "tier": 1}
        for v in values.get("categories", []):
            m.categories[str(v)] = str(v)[:120]
        for v in values.get("custom_fields", []):
            m.custom_fields[str(v)] = "tag"
        return m

    @staticmethod
    def parse(text: str) -> dict[str, Any]:
        try:
            raw = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            raise MappingError(f"The mapping file is not valid YAML: {exc}") from None
        if not isinstance(raw, dict):
            raise MappingError("The mapping file must be a YAML mapping (key: value).")
        return raw

    @classmethod
    def from_yaml(cls, text: str, *, defaults: Mapping | None = None) -> Mapping:
        raw = cls.parse(text)
        m = defaults or cls()
        known = set(cls.__dataclass_fields__)
        unknown = set(raw) - known
        if unknown:
            raise MappingError(f"Unknown keys in the mapping file: {', '.join(sorted(unknown))}")
        for key in SECTIONS:
            section = raw.get(key) or {}
            if not isinstance(section, dict):
                raise MappingError(f"{key}: expected a mapping")
            getattr(m, key).update({str(k): v for k, v in section.items()})
        for key in known - set(SECTIONS):
            if key in raw:
                setattr(m, key, raw[key])
        m.validate()
        return m

    def validate(self) -> None:
        for source, ours in self.states.items():
            if ours is not None and ours not in STATES:
                raise MappingError(f"states: {source!r} → {ours!r}: use one of {', '.join(STATES)}")
        if self.default_state is not None and self.default_state not in STATES:
            raise MappingError(f"default_state: use one of {', '.join(STATES)}")
        for source, ours in self.priorities.items():
            if str(ours).upper() not in PRIORITIES:
                raise MappingError(f"priorities: {source!r} → {ours!r}: use one of {', '.join(PRIORITIES)}")
            self.priorities[source] = str(ours).upper()
        for source, target in list(self.queues.items()):
            if isinstance(target, str):
                target = {"team": target, "tier": self.default_tier}
            if not isinstance(target, dict) or not target.get("team"):
                raise MappingError(f"queues: {source!r}: expected {{team: NAME, tier: 1..3}}")
            tier = int(target.get("tier") or self.default_tier)
            if tier not in Tier.values:
                raise MappingError(f"queues: {source!r}: tier must be 1, 2 or 3")
            self.queues[source] = {"team": str(target["team"])[:100], "tier": tier}
        for source, how in self.custom_fields.items():
            if how not in ("tag", "ignore"):
                raise MappingError(f"custom_fields: {source!r}: use tag or ignore")

    def as_dict(self) -> dict[str, Any]:
        return {
            "states": self.states,
            "priorities": self.priorities,
            "queues": self.queues,
            "categories": self.categories,
            "custom_fields": self.custom_fields,
            "default_state": self.default_state,
            "default_priority": self.default_priority,
            "default_tier": self.default_tier,
            "closed_counts_as_resolved": self.closed_counts_as_resolved,
            "keep_numbers": self.keep_numbers,
            "kb_language": self.kb_language,
            **({"columns": self.columns} if self.columns else {}),
        }

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.as_dict(), allow_unicode=True, sort_keys=False)
