"""Where each number of a scenario comes from, and overrides by dotted path.

In a scenario file a number may carry its source next to it::

    amount = { value = 2_000_000, source = "002 一.3: 每家200万元的一次性资金奖励" }

or a whole table may name one source for every bare number in it::

    [sectors.trade]
    source = "fictional demo city"
    margin = 0.12

``split_sources`` strips these annotations, giving the plain values the schema validates and a
map from dotted path (``instruments.demonstration.amount``) to source text. ``apply_override``
is what ``--set PATH=VALUE`` uses; the same dotted paths serve parameter sweeps.
"""

from __future__ import annotations

import copy
import tomllib
from typing import Any

#: Sections whose keys are names chosen by the scenario author, not schema fields.
NAMED_COLLECTIONS = ("instruments", "platforms", "logistics", "sectors", "targets")

SOURCE_KEY = "source"


class ScenarioError(ValueError):
    """A scenario cannot be used; the message is one line naming file, field and what is allowed."""

    def __init__(self, where: str, field: str, problem: str) -> None:
        self.where, self.field, self.problem = where, field, problem
        location = f"{where}: {field}" if field else where
        super().__init__(f"{location}: {problem}")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_sourced_leaf(value: object) -> bool:
    return isinstance(value, dict) and "value" in value and set(value) <= {"value", SOURCE_KEY}


def split_sources(
    tree: dict[str, Any], where: str, inherited: str | None = None, prefix: str = ""
) -> tuple[dict[str, Any], dict[str, str]]:
    """Separate values from their sources.

    Returns the plain tree and ``{dotted path: source}`` for every number that has one (its
    own, or its table's). Numbers without any source are simply absent from the map; see
    :func:`unsourced_numbers`.
    """
    table_source = tree.get(SOURCE_KEY, inherited)
    if SOURCE_KEY in tree and not isinstance(tree[SOURCE_KEY], str):
        raise ScenarioError(where, f"{prefix}{SOURCE_KEY}", "a source must be text")
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for key, item in tree.items():
        if key == SOURCE_KEY:
            continue
        path = f"{prefix}{key}"
        if _is_sourced_leaf(item):
            if not isinstance(item.get(SOURCE_KEY), str) or not item[SOURCE_KEY].strip():
                raise ScenarioError(
                    where, path, "a {value = ..., source = ...} entry needs a non-empty source"
                )
            values[key] = item["value"]
            sources[path] = item[SOURCE_KEY]
        elif isinstance(item, dict):
            values[key], inner = split_sources(item, where, table_source, f"{path}.")
            sources.update(inner)
        else:
            values[key] = item
            if table_source is not None and _contains_number(item):
                sources[path] = table_source
    return values, sources


def _contains_number(item: object) -> bool:
    if isinstance(item, list):
        return any(_contains_number(x) for x in item)
    return _is_number(item)


def numeric_paths(tree: dict[str, Any], prefix: str = "") -> list[str]:
    """Dotted paths of every number (or list holding numbers) in a plain tree."""
    paths: list[str] = []
    for key, item in tree.items():
        path = f"{prefix}{key}"
        if isinstance(item, dict):
            paths.extend(numeric_paths(item, f"{path}."))
        elif _contains_number(item):
            paths.append(path)
    return paths


def unsourced_numbers(values: dict[str, Any], sources: dict[str, str]) -> list[str]:
    """Paths of numbers that carry no source: every number in a shipped scenario needs one."""
    return [path for path in numeric_paths(values) if path not in sources]


#: Kinds of provenance, recognised by how a source text starts (scenario files write
#: ``doc 002 二(一)3: …``, ``statistic: …``, ``derived: …``, ``assumption: …``, ``calibrated: …``).
#: ``demo`` marks the fictional example scenario's invented values.
PROVENANCE_KINDS = (
    "doc",
    "statistic",
    "derived",
    "assumption",
    "calibrated",
    "command line",
    "demo",
)


def provenance_kind(source: str | None) -> str:
    """The kind of a source text (``other`` if it does not start with a known kind)."""
    if not source:
        return "none"
    head = source.strip().lower()
    return next((kind for kind in PROVENANCE_KINDS if head.startswith(kind)), "other")


def _show(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)  # years stay 2017
    return f"{value:.6g}" if _is_number(value) else str(value)


def provenance_rows(values: dict[str, Any], sources: dict[str, str]) -> list[dict[str, str]]:
    """One row per number of a scenario: its dotted path, value, kind of source and source."""
    rows = []
    for path in numeric_paths(values):
        value: Any = values
        for key in path.split("."):
            value = value[key]
        source = sources.get(path)
        rows.append(
            {
                "field": path,
                "value": _show(value),
                "kind": provenance_kind(source),
                "source": source or "NO SOURCE",
            }
        )
    return rows


def parse_override(text: str) -> tuple[str, Any]:
    """Parse ``PATH=VALUE``; the value is read as TOML (numbers, booleans, lists), else text."""
    path, sep, raw = text.partition("=")
    path = path.strip()
    if not sep or not path:
        raise ScenarioError("--set", text, "expected PATH=VALUE, e.g. firms.count=1000000")
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return path, value


def apply_override(
    values: dict[str, Any], sources: dict[str, str], path: str, value: Any, where: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """Return copies of ``values`` and ``sources`` with ``path`` set to ``value``.

    Intermediate tables the schema allows may be created (a field left at its default), but a
    name inside a named collection must exist: ``instruments.typo.amount`` is refused with the
    names that do exist. Unknown fields are left for the schema to reject.
    """
    values, sources = copy.deepcopy(values), dict(sources)
    keys = path.split(".")
    node = values
    for depth, key in enumerate(keys[:-1]):
        parent = keys[depth - 1] if depth else None
        if key not in node:
            if parent in NAMED_COLLECTIONS and depth == 1:
                known = ", ".join(sorted(node)) or "none"
                raise ScenarioError(where, path, f"no {parent} entry named {key!r} (have: {known})")
            node[key] = {}
        if not isinstance(node[key], dict):
            raise ScenarioError(where, path, f"{'.'.join(keys[: depth + 1])} is not a table")
        node = node[key]
    if keys[0] in NAMED_COLLECTIONS and len(keys) == 2 and keys[1] not in node:
        known = ", ".join(sorted(node)) or "none"
        raise ScenarioError(where, path, f"no {keys[0]} entry named {keys[1]!r} (have: {known})")
    node[keys[-1]] = value
    for old in [p for p in sources if p == path or p.startswith(f"{path}.")]:
        del sources[old]
    sources[path] = f"command line: --set {path}={value!r}"
    return values, sources
