"""The base model every config model derives from: unknown keys are errors, config is immutable, whole numbers are
whole numbers, and every problem is found in one pass (policies/one_pass.py)."""

from __future__ import annotations

import re
import types
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)

# Re-exported: the models build their rules from these.
from policies.one_pass import (
    InvalidField,
    Issues,
    RuleViolation,
    collect,
    partial_instance,
    problems_from_validation_error,
    skip_if_invalid,
)

__all__ = ["InvalidField", "Issues", "RuleViolation", "StrictModel", "partial_instance",
           "problems_from_validation_error", "skip_if_invalid", "whole_number"]


class StrictModel(BaseModel):
    """Unknown keys are errors (a typo is never ignored) and validated config is immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)
    # The rule id of this model's own cross-field problems; default: the class name in kebab case.
    rule_id: ClassVar[str | None] = None

    @field_validator("*", mode="before")
    @classmethod
    def _whole_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        bounds = _integer_fields(cls).get(info.field_name or "")
        return value if bounds is None else whole_number(value, *bounds)

    @model_validator(mode="wrap")
    @classmethod
    def _one_pass(cls, data: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
        try:
            return handler(data)
        except ValidationError as exc:
            raise collect(cls, data, exc, info) from None

    @classmethod
    def own_rule_id(cls) -> str:
        return cls.rule_id or re.sub(r"(?<!^)(?=[A-Z])", "-", cls.__name__).lower()

    if not TYPE_CHECKING:
        def __getattr__(self, name: str) -> Any:
            # Only a partial instance (one-pass validation) lacks a field: its value was invalid.
            if name in type(self).model_fields:
                raise InvalidField(name)
            return super().__getattr__(name)


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
