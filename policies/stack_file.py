"""Reading a `Pulumi.<stack>.yaml` file: YAML with every duplicate key refused and each value's place kept, our
`redshift-backup:` namespace split from the other keys, the stack's name from the file's name."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from policies.aws_settings import aws_setting_problems
from policies.errors import ConfigError, Problem, join_path
from policies.locations import Locations, located

NAMESPACE = "redshift-backup"


def split_stack_config(config: Mapping[str, Any]) -> tuple[dict[str, Any], str | None, list[Problem]]:
    """Split a stack's `config:` map into our namespace (prefix removed), the region and key problems."""
    ours: dict[str, Any] = {}
    problems: list[Problem] = []
    region = config.get("aws:region")
    aws = {k[4:]: v for k, v in config.items() if isinstance(k, str) and k.startswith("aws:")}
    problems.extend(aws_setting_problems(aws))
    for key, value in config.items():
        if not isinstance(key, str):
            problems.append(Problem("config", "keys must be strings", key, rule="type"))
        elif key.startswith(NAMESPACE + ":"):
            ours[key[len(NAMESPACE) + 1:]] = value
        elif ":" not in key:
            # Pulumi reads an unprefixed key as `<project>:<key>`, and our project is redshift-backup.
            ours[key] = value
        elif _misspelt_namespace(key.split(":", 1)[0]):
            problems.append(Problem(key, f"unknown namespace {key.split(':', 1)[0]!r}; did you mean "
                                    f"{NAMESPACE}:{key.split(':', 1)[1]}? (keys of other namespaces are ignored, so "
                                    "this config would not be read)", has_value=False, rule="namespace"))
    if region is not None and not isinstance(region, str):
        problems.append(Problem("aws:region", "expected a region name string", region, rule="type"))
        region = None
    return ours, region, problems


def _misspelt_namespace(namespace: str) -> bool:
    """`redshift-backups`, `redshift_backup`, `Redshift-Backup`: close to ours, but not ours."""
    if namespace == NAMESPACE:
        return False
    squashed = namespace.lower().replace("_", "").replace("-", "")
    return squashed == NAMESPACE.replace("-", "") or difflib.SequenceMatcher(
        None, namespace.lower(), NAMESPACE).ratio() >= 0.8


class _DuplicateKeys:
    """Every key given twice in one YAML mapping, with the line of each (PyYAML itself keeps the last)."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def walk(self, node: yaml.Node, where: tuple[str | int, ...]) -> None:
        if isinstance(node, yaml.MappingNode):
            seen: dict[tuple[str, str], int] = {}
            for key, value in node.value:
                if key.tag == "tag:yaml.org,2002:merge":
                    continue
                ident = (key.tag, str(key.value))
                line = key.start_mark.line + 1
                if ident in seen:
                    lines = f"on line {line}" if seen[ident] == line else f"at lines {seen[ident]} and {line}"
                    self.problems.append(Problem(_document_path((*where, str(key.value))),
                                                 f"is given twice, {lines}; YAML would silently keep only the "
                                                 "last one: remove one", has_value=False, rule="duplicate-key",
                                                 line=line, column=key.start_mark.column + 1))
                seen.setdefault(ident, line)
                self.walk(value, (*where, str(key.value)))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self.walk(item, (*where, i))


def _document_path(where: tuple[str | int, ...]) -> str:
    """A place in a stack file as the other problems name it: `policies[0].name`, `aws:region`, `config`."""
    if len(where) >= 2 and where[0] == "config" and isinstance(where[1], str):
        key = where[1]
        head = key[len(NAMESPACE) + 1:] if key.startswith(NAMESPACE + ":") else key
        return join_path(head, *where[2:])
    return join_path(*where)


def read_yaml_nodes(text: str, source: str) -> tuple[Any, Locations | None]:
    """The document and where each of its values is (None for an empty document)."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        locations = Locations(node, _document_path)
        duplicates = _DuplicateKeys()
        duplicates.walk(node, ())
        ConfigError.collect(located(duplicates.problems, locations), source)
        return loader.construct_document(node), locations
    finally:
        loader.dispose()


def stack_name_of_file(path: Path) -> str | None:
    """The stack a `Pulumi.<stack>.yaml` (or `.yml`) file configures; None for a file named otherwise."""
    match = re.fullmatch(r"Pulumi\.(.+)\.ya?ml", path.name)
    return match.group(1) if match else None
