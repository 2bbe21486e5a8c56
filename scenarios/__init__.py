"""Scenario files: the built-in ones shipped here, and loading any file into a ``Scenario``.

``load_scenario("demo")`` finds a built-in scenario by name; ``load_scenario("my.toml")`` reads
a file. Either way the result is a ``LoadedScenario``: the validated ``Scenario``, the source of
every number, and hashes that identify the input in a results manifest. Anything wrong raises
``ScenarioError`` with a one-line message naming the file, the field and what is allowed.

A *policy design file* (a ``[design]`` table and no economy: the reference designs
``suichang`` and ``lishui``) is loaded by ``load_design`` as a ``LoadedDesign`` and can only
be a policy of the transplant; ``load_policy`` takes either kind of file, as the transplant's
``--policies`` do. ``load_scenario`` refuses a design file with a one-line reason.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ecomsim.scenarios.provenance import (
    ScenarioError,
    apply_override,
    parse_override,
    split_sources,
    unsourced_numbers,
)
from ecomsim.scenarios.schema import PolicyDesign, Scenario

__all__ = [
    "LoadedDesign",
    "LoadedScenario",
    "ScenarioError",
    "builtin_designs",
    "builtin_scenarios",
    "load_design",
    "load_policy",
    "load_scenario",
    "schema_error",
    "validate_values",
]


def _builtin_files() -> dict[str, Path]:
    folder = files("ecomsim.scenarios")
    found = {
        Path(str(entry)).stem: Path(str(entry))
        for entry in folder.iterdir()
        if str(entry).endswith(".toml")
    }
    return dict(sorted(found.items()))


def builtin_scenarios() -> dict[str, Path]:
    """Built-in scenario names (with an economy to run) and their files, sorted by name."""
    return {name: path for name, path in _builtin_files().items() if not is_design_file(path)}


def builtin_designs() -> dict[str, Path]:
    """Built-in policy design files (no economy of their own) and their files, sorted by name."""
    return {name: path for name, path in _builtin_files().items() if is_design_file(path)}


def is_design_file(path: Path) -> bool:
    """Whether the file at ``path`` is a policy design (it has a ``[design]`` table)."""
    stat = path.stat()
    return _has_design_table(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=256)
def _has_design_table(path: str, mtime_ns: int, size: int) -> bool:
    # Keyed on the file's time and size: a file edited in place is read again.
    try:
        return "design" in tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return False  # load_scenario reports the broken file


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario with where it came from."""

    spec: Scenario
    path: Path
    sources: dict[str, str]
    file_sha256: str
    values: dict[str, Any] = field(default_factory=dict)  # plain data: the file after overrides
    overrides: tuple[str, ...] = field(default=())

    @property
    def name(self) -> str:
        """The scenario's name (from its ``[scenario]`` table)."""
        return self.spec.scenario.name

    @property
    def spec_sha256(self) -> str:
        """Hash of the validated scenario after overrides: equal hashes, identical inputs."""
        canonical = json.dumps(self.spec.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def unsourced(self) -> list[str]:
        """Numbers in the file that carry no source (every shipped number must have one)."""
        return unsourced_numbers(self.values, self.sources)


def _resolve(name_or_path: str | Path) -> Path:
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or candidate.exists():
        if not candidate.is_file():
            raise ScenarioError(str(candidate), "", "no such scenario file")
        return candidate
    builtin = _builtin_files()
    if str(name_or_path) in builtin:
        return builtin[str(name_or_path)]
    known = ", ".join(builtin)
    raise ScenarioError(
        str(name_or_path),
        "",
        f"unknown scenario; choose one of {known}, or give a path to a .toml file",
    )


def validate_values(values: dict[str, Any], where: str) -> Scenario:
    """Validate plain scenario data, turning the first schema error into a ``ScenarioError``."""
    try:
        return Scenario.model_validate(values)
    except ValidationError as error:
        raise schema_error(error, where) from None


@dataclass(frozen=True)
class LoadedDesign(LoadedScenario):
    """A validated policy design file (no economy) with where it came from."""

    spec: PolicyDesign  # type: ignore[assignment]


@dataclass(frozen=True)
class _Read:
    path: Path
    where: str
    raw_bytes: bytes
    values: dict[str, Any]
    sources: dict[str, str]
    overrides: tuple[str, ...]

    @property
    def label(self) -> str:
        """Where errors point: the file, and the overrides if any."""
        if not self.overrides:
            return self.where
        return f"{self.where} (with --set {', '.join(self.overrides)})"


def _read(name_or_path: str | Path, overrides: Iterable[str]) -> _Read:
    """A file's values and sources, with the overrides applied (not yet validated)."""
    path = _resolve(name_or_path)
    where = str(path) if not str(path).startswith(str(builtin_scenarios_root())) else path.name
    raw_bytes = path.read_bytes()
    try:
        raw = tomllib.loads(raw_bytes.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ScenarioError(where, "", f"not valid TOML ({error})") from None
    values, sources = split_sources(raw, where)
    overrides = tuple(overrides)
    for text in overrides:
        path_, value = parse_override(text)
        values, sources = apply_override(values, sources, path_, value, where)
    return _Read(path, where, raw_bytes, values, sources, overrides)


def load_scenario(name_or_path: str | Path, overrides: Iterable[str] = ()) -> LoadedScenario:
    """Read, override and validate a scenario given by built-in name or file path."""
    read = _read(name_or_path, overrides)
    if "design" in read.values:
        raise ScenarioError(
            read.where,
            "design",
            "a policy design without an economy of its own: it can be a policy of "
            "ecomsim transplant (--policies), not run on its own",
        )
    return LoadedScenario(
        spec=validate_values(read.values, read.label),
        path=read.path,
        sources=read.sources,
        file_sha256=hashlib.sha256(read.raw_bytes).hexdigest(),
        values=read.values,
        overrides=read.overrides,
    )


def load_design(name_or_path: str | Path, overrides: Iterable[str] = ()) -> LoadedDesign:
    """Read, override and validate a policy design file given by built-in name or path."""
    read = _read(name_or_path, overrides)
    if "design" not in read.values:
        raise ScenarioError(
            read.where, "design", "not a policy design file (it has no [design] table)"
        )
    try:
        spec = PolicyDesign.model_validate(read.values)
    except ValidationError as error:
        raise schema_error(error, read.label) from None
    return LoadedDesign(
        spec=spec,
        path=read.path,
        sources=read.sources,
        file_sha256=hashlib.sha256(read.raw_bytes).hexdigest(),
        values=read.values,
        overrides=read.overrides,
    )


def load_policy(
    name_or_path: str | Path, overrides: Iterable[str] = ()
) -> LoadedScenario | LoadedDesign:
    """A policy for the transplant: a full scenario (its policy part is used) or a design file."""
    path = _resolve(name_or_path)
    loader = load_design if is_design_file(path) else load_scenario
    return loader(path, overrides)


def builtin_scenarios_root() -> Path:
    """Folder holding the built-in scenario files."""
    return Path(str(files("ecomsim.scenarios")))


def schema_error(error: ValidationError, where: str) -> ScenarioError:
    """The first schema error as one readable line (how many more there are, if any)."""
    issues = error.errors()
    first = issues[0]
    location = ".".join(str(part) for part in first["loc"] if not str(part).startswith("function"))
    kind = first["type"]
    context = first.get("ctx", {})
    if kind == "extra_forbidden":
        problem = "unknown field (check its spelling against the schema in scenarios/schema.py)"
    elif kind == "union_tag_invalid":
        problem = (
            f"unknown instrument kind {context.get('tag')!r}; allowed: "
            f"{context.get('expected_tags')}"
        )
    elif kind == "union_tag_not_found":
        problem = 'an instrument needs a kind (e.g. kind = "adoption_grant")'
    elif kind == "missing":
        problem = "required field is missing"
    elif kind == "finite_number":
        problem = f"must be a finite number (got {first.get('input')!r})"
    elif kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        sign = {
            "greater_than_equal": "≥",
            "greater_than": ">",
            "less_than_equal": "≤",
            "less_than": "<",
        }[kind]
        limit = next(iter(context.values()))
        problem = f"must be {sign} {limit} (got {first.get('input')!r})"
        if kind == "less_than_equal" and limit == 1.0:
            problem = f"must be between 0 and 1 (got {first.get('input')!r})"
    elif kind == "value_error":
        problem = str(context.get("error", first["msg"]))
    else:
        problem = f"{first['msg']} (got {first.get('input')!r})"
    more = len(issues) - 1
    if more:
        problem += f" [and {more} more problem{'s' if more > 1 else ''}]"
    return ScenarioError(where, location, problem)
