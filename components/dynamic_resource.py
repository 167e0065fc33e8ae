"""The base class of this project's dynamic resources: pulumi's own, minus a pickle leak that breaks fleets.

`pulumi.dynamic.serialize_provider` (pulumi 3.272, `pulumi/dynamic/dynamic.py`) sorts dicts while it pickles a
provider by replacing `pickle._Pickler._batch_setitems` with a wrapper around the current one, and never puts the
original back. Every dynamic resource adds one layer, so pickling a dict recurses once per earlier dynamic resource
and a stack of a few hundred of them ends in `RecursionError` (docs/upstream-serialize-provider.md has the
reproduction). Each of our resources puts back what it found once pulumi has serialized its provider: the depth
stays constant, and the bytes are those pulumi would write with one layer (sorting sorted items changes nothing),
so the state of existing stacks does not change.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pulumi
from pulumi.dynamic import ResourceProvider

# What `serialize_provider` replaces on the pure-Python pickler (which dill subclasses) and leaves replaced.
PATCHED_ATTRIBUTES = ("_batch_setitems", "save_dict")


@contextmanager
def pickler_restored() -> Iterator[None]:
    """Whatever runs inside may patch `pickle._Pickler` and `pickle.Pickler`; both are as they were afterwards."""
    pickler_class = pickle.Pickler
    saved = {name: vars(pickle._Pickler)[name] for name in PATCHED_ATTRIBUTES}
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(pickle._Pickler, name, value)
        pickle.Pickler = pickler_class  # type: ignore[misc]


class DynamicResource(pulumi.dynamic.Resource):
    """`pulumi.dynamic.Resource` whose registration leaves the pickle module as it found it.

    Subclasses pass `module=` and `name=` as with `pulumi.dynamic.Resource` (they make the type token).
    """

    def __init__(self, provider: ResourceProvider, name: str, props: dict[str, Any],
                 opts: pulumi.ResourceOptions | None = None) -> None:
        # The provider is pickled synchronously inside this call, before any registration is awaited.
        with pickler_restored():
            super().__init__(provider, name, props, opts)
