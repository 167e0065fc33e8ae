"""Typed inputs for the component provider: TypedDicts made from the pydantic models of `policies/`.

Pulumi infers the package schema from `TypedDict` annotations (FACTS.md, "Component providers usable from every
Pulumi language"). Writing those TypedDicts by hand would copy every field of the policy and restore
models (`policies/`) a second time and drift from them; here each model becomes one TypedDict with the same
field names, so a TypeScript or Go program sees every key as a typed property (not `pulumi.json#/Any`), and the
values it sends are validated by the very same models as stack config.

Mapping (the schema has no unions but optional values): `Annotated[X, ...]` -> X, `Literal["a", "b"]` -> the
literal's type, `X | None` -> `Optional[X]`, `list[X]`, `dict[str, X]`, a model -> its TypedDict. Every key is
`NotRequired` but the model's required fields: a default is the model's to apply.
"""

import types
import typing
from typing import Any, Literal, NotRequired, Optional, Required, TypedDict, Union, get_args, get_origin

from pydantic import BaseModel

# Pulumi's schema names types after the class, and the generated SDKs add `Args` to input types themselves
# (TypeScript `inputs.BackupRuleArgs`, Go `BackupRuleArgs`): the model's own name, with no suffix.
SUFFIX = ""


class UnsupportedField(TypeError):
    """A model field whose type the component schema cannot express (a union of two kinds of value)."""


def _is_union(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, types.UnionType)


def _plain(annotation: Any, made: dict[type[BaseModel], Any], where: str) -> Any:
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        return _plain(get_args(annotation)[0], made, where)
    if origin is Literal:
        kinds = {type(v) for v in get_args(annotation)}
        if len(kinds) != 1:
            raise UnsupportedField(f"{where}: a Literal of several types ({annotation})")
        return kinds.pop()
    if _is_union(annotation):
        members = [a for a in get_args(annotation) if a is not type(None)]
        if len(members) != 1:
            raise UnsupportedField(f"{where}: a union of {members}")
        return Optional[_plain(members[0], made, where)]  # noqa: UP045  # Pulumi's analyzer reads Optional
    if origin is list:
        return list[_plain(get_args(annotation)[0], made, where)]  # type: ignore[misc]
    if origin is dict:
        key, value = get_args(annotation)
        return dict[_plain(key, made, where), _plain(value, made, where)]  # type: ignore[misc]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return typed_dict(annotation, made)
    if annotation in (str, int, float, bool):
        return annotation
    if isinstance(annotation, type) and issubclass(annotation, str):
        return str
    raise UnsupportedField(f"{where}: {annotation!r}")


def typed_dict(model: type[BaseModel], made: dict[type[BaseModel], Any] | None = None,
               name: str | None = None, exclude: tuple[str, ...] = ()) -> Any:
    """The TypedDict of `model`'s fields (nested models become TypedDicts too, made once each)."""
    made = {} if made is None else made
    if model in made and name is None:
        return made[model]
    fields: dict[str, Any] = {}
    for field_name, info in model.model_fields.items():
        if field_name in exclude:
            continue
        annotation = _plain(info.annotation, made, f"{model.__name__}.{field_name}")
        fields[field_name] = Required[annotation] if info.is_required() else NotRequired[annotation]
    made_type = TypedDict(name or f"{model.__name__}{SUFFIX}", fields)  # type: ignore[misc]
    made_type.__module__ = __name__
    made_type.__doc__ = (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else None
    if name is None:
        made[model] = made_type
    return made_type

