"""The base model every config model derives from, and the bridge from pydantic errors to `Problem`s."""

from __future__ import annotations

import re
import types
from collections.abc import Iterable, Sequence
from datetime import date
from functools import cache
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from policies.errors import Problem, join_path

# The error type a cross-field validator raises to report problems on sub-paths of the model it validates.
_NESTED = "redshift_backup_problems"


class StrictModel(BaseModel):
    """Unknown keys are errors (a typo is never ignored) and validated config is immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)

    @field_validator("*", mode="before")
    @classmethod
    def _whole_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        bounds = _integer_fields(cls).get(info.field_name or "")
        return value if bounds is None else whole_number(value, *bounds)


# --- whole numbers ----------------------------------------------------------------------------------------------

_DIGITS = re.compile(r"^-?[0-9]+$")


def whole_number(value: Any, low: int | None = None, high: int | None = None) -> Any:
    """The rule for every integer field: a whole number inside its bounds, never true/false.

    pydantic's lax mode reads YAML `false` as 0 and `true` as 1, so `automated_snapshot_retention_days: false`
    would turn automated snapshots off (and delete the existing ones): booleans are refused. Whole floats (7.0)
    are taken, because component arguments from other Pulumi languages arrive as floats; digit strings ("7")
    are taken, because that is how a number set with `pulumi config set --type string` arrives.
    """
    allowed = _bounds_text(low, high)
    if isinstance(value, bool):
        raise ValueError(f"expected a whole number{allowed}, not true or false")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"expected a whole number{allowed}")
        value = int(value)
    elif isinstance(value, str):
        if not _DIGITS.match(value.strip()):
            raise ValueError(f"expected a whole number{allowed}")
        value = int(value.strip())
    if isinstance(value, int) and ((low is not None and value < low) or (high is not None and value > high)):
        raise ValueError(f"expected{allowed}")
    return value


def _bounds_text(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f" {low}-{high}"
    if low is not None:
        return f" of at least {low}"
    if high is not None:
        return f" of at most {high}"
    return ""


@cache
def _integer_fields(model: type[BaseModel]) -> dict[str, tuple[int | None, int | None]]:
    """Every integer field of a model, with its bounds (from `Field(ge=..., le=...)`), by field name."""
    out: dict[str, tuple[int | None, int | None]] = {}
    for name, info in model.model_fields.items():
        found = _integer_bounds(info.annotation, list(info.metadata))
        if found is not None:
            out[name] = found
    return out


def _integer_bounds(annotation: Any, metadata: list[Any]) -> tuple[int | None, int | None] | None:
    """(low, high) when `annotation` is an integer (also inside Optional or Annotated), else None."""
    origin = get_origin(annotation)
    if origin is Annotated:
        base, *extra = get_args(annotation)
        return _integer_bounds(base, metadata + extra)
    if origin is Union or origin is types.UnionType:
        for member in get_args(annotation):
            found = _integer_bounds(member, metadata)
            if found is not None:
                return found
        return None
    if annotation is not int:
        return None
    low: int | None = None
    high: int | None = None
    for item in metadata:
        for inner in [item, *getattr(item, "metadata", [])]:
            ge = getattr(inner, "ge", None)
            le = getattr(inner, "le", None)
            low = ge if isinstance(ge, int) else low
            high = le if isinstance(le, int) else high
    return low, high


class Issues:
    """Collects cross-field problems inside a `model_validator(mode="after")` and raises them together.

    pydantic puts a validator's error at the model's own location; `Issues` carries sub-paths (relative to the
    model) so the final message still names the exact field: `policies[0].backup.rules[1].delete_after_days`.
    """

    def __init__(self) -> None:
        self._items: list[tuple[tuple[str | int, ...], str, Any, bool]] = []

    def add(self, where: str | int | Sequence[str | int], message: str, value: Any = None, *,
            has_value: bool = True) -> None:
        loc = (where,) if isinstance(where, (str, int)) else tuple(where)
        self._items.append((loc, message, value, has_value))

    def __bool__(self) -> bool:
        return bool(self._items)

    def raise_if_any(self) -> None:
        if self._items:
            raise PydanticCustomError(_NESTED, "{count} problems", {"count": len(self._items),
                                                                  "items": list(self._items)})


def problems_from_validation_error(exc: ValidationError, prefix: Sequence[str | int] = ()) -> list[Problem]:
    """Turn every pydantic error into a `Problem` with a dotted path, the received value and a plain message."""
    problems: list[Problem] = []
    for err in exc.errors(include_url=False):
        loc = tuple(prefix) + tuple(_clean_loc(err["loc"]))
        if err["type"] == _NESTED:
            for sub, message, value, has_value in err["ctx"]["items"]:
                problems.append(Problem(join_path(*loc, *sub), message, value, has_value))
            continue
        problems.append(_problem(loc, err))
    return problems


def _clean_loc(loc: Iterable[Any]) -> list[str | int]:
    # pydantic inserts the member name of a tagged union or a function validator into `loc`; drop those.
    out: list[str | int] = []
    for part in loc:
        if isinstance(part, str) and (part.startswith("function-") or part.endswith("]") and "[" in part):
            continue
        out.append(part)
    return out


def _problem(loc: tuple[str | int, ...], err: Any) -> Problem:
    kind = err["type"]
    msg = str(err["msg"])
    if kind == "extra_forbidden":
        return Problem(join_path(*loc), "unknown key (check the spelling against the policy reference)",
                       err["input"])
    if kind == "missing":
        return Problem(join_path(*loc), "is required", has_value=False)
    if kind == "value_error" and msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    elif kind == "assertion_error" and msg.startswith("Assertion failed, "):
        msg = msg[len("Assertion failed, "):]
    elif kind == "literal_error":
        msg = msg.replace("Input should be", "expected")
    elif kind == "string_type" and _quote_hint(err.get("input")):
        msg = "expected text; " + _quote_hint(err.get("input"))
    else:
        msg = msg.replace("Input should be", "expected").replace("Input should have", "expected")
    return Problem(join_path(*loc), msg, err.get("input"))


def _quote_hint(value: Any) -> str:
    """YAML reads unquoted 123456789012, 2026-01-31 and yes as a number, a date and true: say to quote them."""
    if isinstance(value, bool):
        return "YAML read this as true/false: quote it"
    if isinstance(value, (int, float)):
        return f"YAML read this as a number: quote it ('{value}')"
    if isinstance(value, date):
        return f"YAML read this as a date: quote it ('{value.isoformat()}')"
    return ""
