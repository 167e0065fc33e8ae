"""What the restore providers share: injectable polling, spec validation from raw props, AWS error helpers."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import pulumi
from botocore.exceptions import ClientError
from pulumi.dynamic import CheckFailure, CheckResult, ResourceProvider
from pulumi.runtime import rpc
from pydantic import BaseModel, ValidationError

from components.aws import Credentials
from components.providers import credentials_input
from policies.base import problems_from_validation_error
from policies.errors import ConfigError, ProviderError

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

# Who boto3 acts as (the stack's aws:profile and aws:assumeRoles, see components/providers.py); none: boto3's
# default chain. Not part of a spec: an input of every restore resource, kept in its outputs because read and
# delete only get the outputs, and never a diff on its own (another identity is not another cluster).
CREDENTIALS = "credentials"


class WaitTimedOut(ProviderError):
    """A wait ran out of time; `last` says what AWS reported last."""

    def __init__(self, what: str, minutes: float, last: str) -> None:
        self.last = last
        super().__init__(f"{what} did not finish within {minutes:g} minutes (last status: {last})")


@dataclass(frozen=True)
class Deadline:
    """One time budget on a poller's clock, shared by every wait of one operation (a restore job, then its
    cluster): each wait gets what is left, not the whole `timeout_minutes` again."""

    at: float
    minutes: float


@dataclass
class Poller:
    """Polls with backoff until a check returns a value or the time is up; clock and sleep are injectable.

    The dynamic-provider host ignores `customTimeouts`, so every wait carries its own timeout.
    """

    interval_seconds: float = 15.0
    max_interval_seconds: float = 120.0
    backoff: float = 1.5
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    def deadline(self, timeout_seconds: float) -> Deadline:
        return Deadline(self.clock() + timeout_seconds, timeout_seconds / 60)

    def until(
        self,
        check: Callable[[], T | None],
        timeout: float | Deadline,
        what: str,
        last: Callable[[], str] = lambda: "unknown",
    ) -> T:
        """`check()` until it returns a value; `timeout` is seconds from now or a `Deadline` shared with other waits."""
        deadline = timeout if isinstance(timeout, Deadline) else self.deadline(timeout)
        delay = self.interval_seconds
        while True:
            result = check()
            if result is not None:
                return result
            remaining = deadline.at - self.clock()
            if remaining <= 0:
                raise WaitTimedOut(what, deadline.minutes, last())
            self.sleep(min(delay, remaining))
            delay = min(delay * self.backoff, self.max_interval_seconds)


class PollingProvider(ResourceProvider):
    """A dynamic provider that waits on AWS with an injectable `Poller`; it keeps no boto3 client on `self`."""

    # Nothing secret is captured, so the serialized provider need not be a secret in state.
    serialize_as_secret_always = False

    def __init__(self, poller: Poller | None = None) -> None:
        super().__init__()
        self.poller = poller or Poller()


class SpecProvider(PollingProvider, Generic[M]):
    """A provider whose props are one `policies.restores` spec: `check` and `spec` validate through it."""

    spec_model: type[M]
    # Props the resource adds beyond the spec (who boto3 acts as, the ownership tag value); not validated.
    extra_keys: tuple[str, ...] = (CREDENTIALS,)

    def named(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """Props plus the spec's `name` (and `kind`), which the resource does not send."""
        raise NotImplementedError

    def spec(self, props: Mapping[str, Any]) -> M:
        return validate_props(self.spec_model, self.named(props), self.extra_keys)

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        spec, failures = check_props(self.spec_model, self.named(news), self.extra_keys)
        return CheckResult(canonical_inputs(news, spec), failures)


def log(message: str) -> None:
    """Progress for the user; in the provider host `pulumi.log` goes to stderr, which the engine shows."""
    pulumi.log.info(message)


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def aws_reason(exc: ClientError) -> str:
    error = exc.response.get("Error", {})
    return f"{error.get('Code', 'error')}: {error.get('Message', str(exc))}"


def is_unknown(value: Any) -> bool:
    """True when `value` (or anything inside it) is a preview placeholder the engine has not resolved yet."""
    if isinstance(value, str):
        return value == rpc.UNKNOWN
    if isinstance(value, Mapping):
        return any(is_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(is_unknown(v) for v in value)
    return bool(value.__class__.__name__ == "Unknown")


def plain_inputs(value: Any) -> Any:
    """Inputs as the user wrote them: keys left unset (null: another language's unset field) dropped, and numbers
    as written, in mappings and lists too (`from_wire`)."""
    if isinstance(value, Mapping):
        return {k: plain_inputs(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [plain_inputs(v) for v in value]
    return from_wire(value)


def from_wire(value: Any) -> Any:
    """A number as the user wrote it: integer inputs arrive from the engine as floats (2.0, the gRPC wire form),
    which messages would show as `received 0.0`. 2.5 stays 2.5."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def validate_props(model: type[M], props: Mapping[str, Any], extra_keys: tuple[str, ...] = ()) -> M:
    """The spec a provider works from: props (minus our own extras) validated through the policies model."""
    data = {k: v for k, v in plain_inputs(props).items() if k not in extra_keys and not k.startswith("__")}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(problems_from_validation_error(exc)) from exc


def check_props(
    model: type[M], news: Mapping[str, Any], extra_keys: tuple[str, ...] = ()
) -> tuple[M | None, list[CheckFailure]]:
    """Validate in `check`, so `pulumi preview` fails early; keys unknown in a preview are not judged."""
    unknown = {k for k, v in news.items() if is_unknown(v)}
    data = {
        k: v
        for k, v in plain_inputs(news).items()
        if k not in extra_keys and k not in unknown and not k.startswith("__")
    }
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        failures = []
        for problem in problems_from_validation_error(exc):
            head = problem.path.split(".")[0].split("[")[0]
            if head in unknown or (not problem.path and unknown):
                continue
            failures.append(CheckFailure(problem.path or "<root>", problem.render()))
        return None, failures


def changed_keys(olds: Mapping[str, Any], news: Mapping[str, Any], keys: tuple[str, ...]) -> list[str]:
    """Input keys whose value differs; a missing key and None are the same (both mean the default)."""
    return [k for k in keys if plain_inputs({"v": olds.get(k)}).get("v") != plain_inputs({"v": news.get(k)}).get("v")]


def has_output(value: Any) -> bool:
    """True when `value` is, or holds, a `pulumi.Output` (a value not known until resources exist)."""
    if isinstance(value, pulumi.Output):
        return True
    if isinstance(value, Mapping):
        return any(has_output(v) for v in value.values())
    if isinstance(value, list):
        return any(has_output(v) for v in value)
    return False


def validate_now(model: type[M], props: Mapping[str, Any], extra_keys: tuple[str, ...] = ()) -> None:
    """Validate at construction when every value is plain; values still Outputs are left to `check`.

    Extra keys are not judged here, so a secret `credentials` (an Output) does not put validation off.
    """
    spec_props = {k: v for k, v in props.items() if k not in extra_keys}
    if not has_output(spec_props):
        validate_props(model, spec_props)


def credentials_of(props: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The `credentials` a resource was given (None: boto3's default chain), for `aws.client`."""
    credentials = props.get(CREDENTIALS)
    return credentials if isinstance(credentials, Mapping) else None


def credentials_changed(olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
    """Whether the identity changed: no change in AWS, but an update so that the state records who acts from
    now on (read and delete only get the state), as the retention resource does."""
    return credentials_of(olds) != credentials_of(news)


def credentials_prop(credentials: pulumi.Input[Credentials] | None) -> pulumi.Input[Credentials] | None:
    """A restore resource's `credentials` input: the stack's `aws:profile` / `aws:assumeRoles` when left out,
    none for `{}` (boto3's default chain), secret when the stack marks those settings secret."""
    if isinstance(credentials, pulumi.Output):
        return credentials
    return credentials_input(credentials)  # type: ignore[arg-type]


def state_inputs(props: Mapping[str, Any], input_keys: tuple[str, ...]) -> dict[str, Any]:
    """The inputs a provider writes back into its outputs: the spec's keys present in `props`, and the
    `credentials` when there are some, since later reads, updates and deletes get only the outputs."""
    inputs = {k: props.get(k) for k in input_keys if k in props}
    return {**inputs, CREDENTIALS: props[CREDENTIALS]} if props.get(CREDENTIALS) else inputs


def paged(client: Any, method: str, key: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a listing, through botocore's paginator when the operation has one."""
    if client.can_paginate(method):
        items: list[dict[str, Any]] = []
        for page in client.get_paginator(method).paginate(**params):
            items.extend(page.get(key, []))
        return items
    return list(getattr(client, method)(**params).get(key, []))


def latest_snapshot(redshift: Any, cluster_identifier: str, owner_account: str | None = None) -> dict[str, Any]:
    """The newest available snapshot (automated or manual) of a cluster; an error when there is none.

    With `owner_account`, the snapshots that account shared with this one (filtering by owner is AWS's own
    DescribeClusterSnapshots filter; not verifiable on moto).
    """
    query = {"ClusterIdentifier": cluster_identifier, **({"OwnerAccount": owner_account} if owner_account else {})}
    snapshots = paged(redshift, "describe_cluster_snapshots", "Snapshots", **query)
    available = [s for s in snapshots if s.get("Status") == "available"]
    if not available:
        raise ProviderError(
            f"no available snapshot of cluster {cluster_identifier} (found {len(snapshots)} in other states)"
        )
    snapshot = max(available, key=lambda s: s["SnapshotCreateTime"])
    log(f"latest snapshot of {cluster_identifier}: {snapshot['SnapshotIdentifier']} ({snapshot['SnapshotCreateTime']})")
    return snapshot


def canonical_inputs(news: dict[str, Any], spec: BaseModel | None) -> dict[str, Any]:
    """Checked inputs with every documented default filled in, so `x: false` and a left-out `x` do not diff."""
    if spec is None:
        return news
    return {**news, **spec.model_dump(exclude={"name", "kind"}, exclude_none=True)}
