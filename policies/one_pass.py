"""One-pass validation: every problem of a config in one error, and the bridge from pydantic errors to `Problem`s.

When a field of a model is invalid, pydantic skips the model's cross-field validators, so a user would fix a file
over several runs. `StrictModel` (policies/base.py) hands its field errors to `collect`, which builds a partial
instance holding only the fields that are valid, runs the model's `model_validator(mode="after")` checks on it (a
check that reads an invalid field raises `InvalidField` and is skipped; `skip_if_invalid()` keeps the rest of a
validator going) and reports everything at once, each problem with its rule id. Every model derived from
`StrictModel` gets this without code of its own.
"""

from __future__ import annotations

import contextvars
import difflib
import inspect
import re
import types
from collections.abc import Iterable, Sequence
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, TypeAdapter, ValidationError, ValidationInfo
from pydantic_core import PydanticCustomError

from policies.errors import Problem, join_path

if TYPE_CHECKING:
    from policies.base import StrictModel

# The error type a model raises to report problems on sub-paths of itself (its own and its children's).
_NESTED = "redshift_backup_problems"

# One problem while it travels up through the models: (location relative to the model, message, value,
# whether there is a value, rule id or None).
Item = tuple[tuple[str | int, ...], str, Any, bool, str | None]


class InvalidField(AttributeError):
    """A cross-field check read a field whose own value is invalid: the check is skipped (its input is wrong)."""


class RuleViolation(ValueError):
    """A field rule's error that names its rule id (see policies/rules.py), so that it can be looked up."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


class _SkipIfInvalid:
    """`contextlib.suppress(InvalidField)`, shared and without a generator: validation runs it on every model."""

    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, _value: object, _tb: object) -> bool:
        return kind is not None and issubclass(kind, InvalidField)


_SKIP = _SkipIfInvalid()


def skip_if_invalid() -> _SkipIfInvalid:
    """A block of cross-field checks that is skipped, alone, when it reads a field whose value was invalid."""
    return _SKIP



class Issues:
    """Collects cross-field problems inside a `model_validator(mode="after")` and raises them together.

    pydantic puts a validator's error at the model's own location; `Issues` carries sub-paths (relative to the
    model) so the final message still names the exact field: `policies[0].backup.rules[1].delete_after_days`.
    `rule` names the rule id (policies/rules.py); without it, the problem carries the model's own rule id.
    """

    def __init__(self) -> None:
        self._items: list[Item] = []
        started = _STARTED.get()
        if started is not None:  # one-pass validation keeps what a check found before it read an invalid field
            started.append(self)

    def add(self, where: str | int | Sequence[str | int], message: str, value: Any = None, *,
            has_value: bool = True, rule: str | None = None) -> None:
        loc = (where,) if isinstance(where, (str, int)) else tuple(where)
        self._items.append((loc, message, value, has_value, rule))

    def __bool__(self) -> bool:
        return bool(self._items)

    def raise_if_any(self) -> None:
        if self._items:
            raise _nested(list(self._items))


def _nested(items: list[Item], partial: Any = None) -> PydanticCustomError:
    return PydanticCustomError(_NESTED, "{count} problems", {"count": len(items), "items": items, "partial": partial})


# The `Issues` a cross-field validator run on a partial instance has made (None outside such a run).
_STARTED: contextvars.ContextVar[list[Issues] | None] = contextvars.ContextVar("redshift_backup_issues",
                                                                             default=None)


# --- one pass -----------------------------------------------------------------------------------------------------

class _Unusable(Exception):
    """A field's value cannot be given to cross-field checks (it is invalid, or its shape is unknown)."""


def collect(cls: type[StrictModel], data: Any, exc: ValidationError, info: ValidationInfo) -> PydanticCustomError:
    """Every problem of `cls` in one error: its fields' (and children's), then its cross-field checks run on the
    fields that are valid."""
    items: list[Item] = []
    by_field: dict[str, list[tuple[tuple[str | int, ...], Any]]] = {}
    whole = False
    for err in exc.errors(include_url=False):
        loc = tuple(_clean_loc(err["loc"]))
        if err["type"] == _NESTED:
            owner = _model_at(cls, loc)
            default_rule = owner.own_rule_id() if owner else cls.own_rule_id()
            items.extend((loc + sub, message, value, has_value, rule or default_rule)
                         for sub, message, value, has_value, rule in err["ctx"]["items"])
        else:
            items.append(_item(cls, loc, err))
        if loc and isinstance(loc[0], str):
            by_field.setdefault(loc[0], []).append((loc[1:], err))
        else:
            whole = True
    partial = None if whole else _partial(cls, data, by_field, info)
    if partial is not None:
        items.extend(_cross_field_items(cls, partial, info))
    return _nested(items, partial)


def _partial(cls: type[StrictModel], data: Any, by_field: dict[str, list[tuple[tuple[str | int, ...], Any]]],
             info: ValidationInfo) -> StrictModel | None:
    """An instance of `cls` holding only the fields of `data` that are valid (the others raise `InvalidField`)."""
    try:
        data = _before_validators(cls, data, info)
    except Exception:  # noqa: BLE001 - a before validator that fails leaves no fields to check
        return None
    if not isinstance(data, dict):
        return None
    values: dict[str, Any] = {}
    invalid: list[str] = []
    for name, field in cls.model_fields.items():
        if name not in data:
            if field.is_required():
                invalid.append(name)
            continue
        try:
            values[name] = _field_value(cls, name, data[name], by_field.get(name), info)
        except _Unusable:
            invalid.append(name)
    instance = cls.model_construct(_fields_set={k for k in data if k in values}, **values)
    for name in invalid:
        instance.__dict__.pop(name, None)
    return instance


def _field_value(cls: type[StrictModel], name: str, raw: Any, errors: list[tuple[tuple[str | int, ...], Any]] | None,
                 info: ValidationInfo) -> Any:
    annotation = cls.model_fields[name].annotation
    if not errors:
        try:
            return _adapter(cls, name).validate_python(raw, context=info.context)
        except ValidationError as exc:
            raise _Unusable from exc
    if all(sub == () for sub, _ in errors) and len(errors) == 1:
        return _child(annotation, raw, errors[0][1], info)
    item_type = _list_item(annotation)
    if item_type is not None and isinstance(raw, list) and all(len(sub) == 1 and isinstance(sub[0], int)
                                                                for sub, _ in errors):
        failed = {sub[0]: err for sub, err in errors}
        if len(failed) != len(errors):
            raise _Unusable
        out = []
        for i, item in enumerate(raw):
            if i in failed:
                out.append(_child(item_type, item, failed[i], info))
            else:
                try:
                    out.append(TypeAdapter(item_type).validate_python(item, context=info.context))
                except ValidationError as exc:
                    raise _Unusable from exc
        return out
    raise _Unusable


def _child(annotation: Any, raw: Any, err: Any, info: ValidationInfo) -> Any:
    """A child model whose own validation failed: its partial instance, or (when only its cross-field checks
    failed, so every field is valid) an instance built from its fields without running those checks again."""
    if err["type"] != _NESTED:
        raise _Unusable
    instance = err["ctx"].get("partial")
    if instance is None:
        model = _model_type(annotation)
        instance = _partial(model, raw, {}, info) if model is not None else None
        if instance is None:
            raise _Unusable
    # A field that one of the child's problems names is invalid too (a lock whose minimum is above its maximum
    # is no bound to check retention against), however valid it was on its own. A problem deeper down was
    # handled the same way one level further in: the parent keeps the rest of that field.
    for loc, *_ in err["ctx"]["items"]:
        if len(loc) == 1 and isinstance(loc[0], str):
            instance.__dict__.pop(loc[0], None)
    return instance


def _cross_field_items(cls: type[StrictModel], partial: StrictModel, info: ValidationInfo) -> list[Item]:
    """Run the model's after-validators on a partial instance; each one that reads an invalid field stops there."""
    items: list[Item] = []
    own = cls.own_rule_id()
    for decorator in cls.__pydantic_decorators__.model_validators.values():
        if decorator.info.mode != "after":
            continue
        func = decorator.func
        started: list[Issues] = []
        token = _STARTED.set(started)
        try:
            if _takes_info(func):
                func(partial, info)
            else:
                func(partial)
        except InvalidField:
            # Stopped at a field whose value is invalid: keep what it had found before.
            items.extend((loc, message, value, has_value, rule or own)
                         for issues in started for loc, message, value, has_value, rule in issues._items)
            continue
        except PydanticCustomError as err:
            if err.type == _NESTED:
                items.extend((loc, message, value, has_value, rule or own)
                             for loc, message, value, has_value, rule in (err.context or {})["items"])
            else:
                items.append(((), err.message(), None, False, own))
        except (ValueError, AssertionError) as err:
            items.append(((), str(err), None, False, getattr(err, "rule", None) or own))
        finally:
            _STARTED.reset(token)
    return items


@cache
def _takes_info(func: Any) -> bool:
    return len(inspect.signature(func).parameters) >= 2


def _before_validators(cls: type[StrictModel], data: Any, info: ValidationInfo) -> Any:
    """Apply the model's `mode="before"` validators (e.g. preset expansion), as pydantic did inside the handler."""
    befores = [d for d in cls.__pydantic_decorators__.model_validators.values() if d.info.mode == "before"]
    for decorator in reversed(befores):
        func = decorator.func
        data = func(data, info) if _takes_info(func) else func(data)
    return data


@cache
def _adapter(cls: type[StrictModel], name: str) -> TypeAdapter[Any]:
    return TypeAdapter(cls.model_fields[name].annotation or Any)


def _unwrap(annotation: Any) -> Any:
    """`Optional[X]` and `Annotated[X, ...]` -> X (other unions stay as they are)."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin is Union or origin is types.UnionType:
            members = [m for m in get_args(annotation) if m is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation


def _model_type(annotation: Any) -> type[StrictModel] | None:
    found = _unwrap(annotation)
    # `own_rule_id` marks a StrictModel (imported by name only: policies.base imports this module).
    if isinstance(found, type) and issubclass(found, BaseModel) and hasattr(found, "own_rule_id"):
        return found  # type: ignore[return-value]
    return None


def _list_item(annotation: Any) -> Any:
    found = _unwrap(annotation)
    return get_args(found)[0] if get_origin(found) is list and get_args(found) else None


def _model_at(cls: type[StrictModel], loc: Sequence[str | int]) -> type[StrictModel] | None:
    """The model at `loc` under `cls` (`("rules", 0)` -> BackupRule), or None when a union or a non-model."""
    annotation: Any = cls
    for part in loc:
        current = _unwrap(annotation)
        if isinstance(part, int):
            item = _list_item(current)
            if item is None:
                return None
            annotation = item
        else:
            model = _model_type(current)
            if model is None or part not in model.model_fields:
                return None
            annotation = model.model_fields[part].annotation
    return _model_type(annotation)


def partial_instance(exc: ValidationError) -> Any:
    """The partial instance (valid fields only) a failed `StrictModel` validation left, or None."""
    errors = exc.errors(include_url=False)
    if len(errors) == 1 and errors[0]["type"] == _NESTED and not errors[0]["loc"]:
        return errors[0]["ctx"].get("partial")
    return None


# --- pydantic errors to problems --------------------------------------------------------------------------------

def problems_from_validation_error(exc: ValidationError, prefix: Sequence[str | int] = ()) -> list[Problem]:
    """Turn every pydantic error into a `Problem` with a dotted path, the received value, a plain message and
    its rule id."""
    problems: list[Problem] = []
    for err in exc.errors(include_url=False):
        loc = tuple(prefix) + tuple(_clean_loc(err["loc"]))
        if err["type"] == _NESTED:
            for sub, message, value, has_value, rule in err["ctx"]["items"]:
                problems.append(Problem(join_path(*loc, *sub), message, value, has_value, rule or "config"))
            continue
        sub, message, value, has_value, rule = _item(None, (), err)
        problems.append(Problem(join_path(*loc), message, value, has_value, rule or "config"))
    return problems


def _clean_loc(loc: Iterable[Any]) -> list[str | int]:
    # pydantic inserts the member name of a tagged union or a function validator into `loc`; drop those.
    out: list[str | int] = []
    for part in loc:
        if isinstance(part, str) and (part.startswith("function-") or part.endswith("]") and "[" in part):
            continue
        out.append(part)
    return out


_RANGE_ERRORS = ("greater_than", "greater_than_equal", "less_than", "less_than_equal", "too_short", "too_long",
                 "string_too_short", "string_too_long")


def _item(cls: type[StrictModel] | None, loc: tuple[str | int, ...], err: Any) -> Item:
    """One pydantic error as a problem item; `cls` is the model it was raised in (for unknown-key suggestions)."""
    kind = err["type"]
    msg = str(err["msg"])
    own = cls.own_rule_id() if cls else None
    if kind == "extra_forbidden":
        message = "unknown key (check the spelling against the policy reference)"
        owner = _model_at(cls, loc[:-1]) if cls and loc else None
        if owner is not None and isinstance(loc[-1], str):
            close = difflib.get_close_matches(loc[-1], list(owner.model_fields), n=1, cutoff=0.75)
            if close:
                message = f"unknown key; did you mean `{close[0]}`?"
        return loc, message, err["input"], True, "unknown-key"
    if kind == "missing":
        return loc, "is required", None, False, "required-key"
    rule: str | None = own
    if kind == "value_error":
        error = (err.get("ctx") or {}).get("error")
        rule = getattr(error, "rule", None) or own
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
    elif kind == "assertion_error" and msg.startswith("Assertion failed, "):
        msg = msg[len("Assertion failed, "):]
    elif kind == "literal_error":
        msg = msg.replace("Input should be", "expected")
        rule = "allowed-values"
        allowed = re.findall(r"'([^']*)'", str((err.get("ctx") or {}).get("expected", "")))
        value = err.get("input")
        close = difflib.get_close_matches(value, allowed, n=1, cutoff=0.75) if isinstance(value, str) else []
        if close:
            msg += f" (did you mean {close[0]!r}?)"
    elif kind == "string_type" and _quote_hint(err.get("input")):
        msg = "expected text; " + _quote_hint(err.get("input"))
        rule = "yaml-type"
    elif kind in _RANGE_ERRORS:
        msg = msg.replace("Input should be", "expected").replace("Input should have", "expected")
        rule = "range"
    else:
        msg = msg.replace("Input should be", "expected").replace("Input should have", "expected")
        rule = "type" if kind.endswith(("_type", "_parsing")) else own
    return loc, msg, err.get("input"), True, rule


def _quote_hint(value: Any) -> str:
    """YAML reads unquoted 123456789012, 2026-01-31 and yes as a number, a date and true: say to quote them.

    The digits shown are the value's; the stack-file loader puts in the digits the user wrote, which differ for
    a number YAML read as octal (a leading zero).
    """
    if isinstance(value, bool):
        return "YAML read this as true/false: quote it"
    if isinstance(value, (int, float)):
        return f"YAML read this as a number: quote it ('{value}')"
    if isinstance(value, date):
        return f"YAML read this as a date: quote it ('{value.isoformat()}')"
    return ""
