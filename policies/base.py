"""The base model every config model derives from, and the bridge from pydantic errors to `Problem`s."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import PydanticCustomError

from policies.errors import Problem, join_path

# The error type a cross-field validator raises to report problems on sub-paths of the model it validates.
_NESTED = "redshift_backup_problems"


class StrictModel(BaseModel):
    """Unknown keys are errors (a typo is never ignored) and validated config is immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)


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
    else:
        msg = msg.replace("Input should be", "expected").replace("Input should have", "expected")
    return Problem(join_path(*loc), msg, err.get("input"))
