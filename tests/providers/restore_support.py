"""Test seams for the restore providers: a fake clock, a fast poller, and hooks on the clients they create."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ClientError

from components import aws
from components.restore_common import Poller


@dataclass
class FakeClock:
    """Time that only moves when the code under test sleeps."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def fast_poller(clock: FakeClock) -> Poller:
    return Poller(interval_seconds=10, max_interval_seconds=60, backoff=2, sleep=clock.sleep, clock=clock.time)


@dataclass
class ClientHooks:
    """botocore event handlers attached to every client the providers create through `components.aws.client`."""

    handlers: list[tuple[str, Callable[..., Any]]] = field(default_factory=list)
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    replace: dict[str, Any] = field(default_factory=dict)
    # (service, credentials) of every client asked for, replaced ones included: who each call acted as.
    made: list[tuple[str, Any]] = field(default_factory=list)

    def on(self, event: str, handler: Callable[..., Any]) -> None:
        self.handlers.append((event, handler))

    def sent(self, operation: str) -> list[dict[str, Any]]:
        """The parameters of every `operation` call, as the provider passed them (before serialization)."""
        return [params for name, params in self.requests if name == operation]


# Registered as `client_hooks`; the function has another name so importing it does not trip ruff's F811.
@pytest.fixture(name="client_hooks")
def client_hooks_fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[ClientHooks]:
    hooks = ClientHooks()
    real = aws.client

    def hooked(service: str, region: str | None = None, credentials: Any = None) -> Any:
        hooks.made.append((service, credentials))
        if service in hooks.replace:
            return hooks.replace[service]
        made = real(service, region, credentials)

        def record(params: dict[str, Any], model: Any, **_: Any) -> None:
            hooks.requests.append((model.name, dict(params)))

        made.meta.events.register("provide-client-params.*.*", record)
        for event, handler in hooks.handlers:
            made.meta.events.register(event, handler)
        return made

    monkeypatch.setattr(aws, "client", hooked)
    yield hooks


def stubbed_client(hooks: ClientHooks, service: str) -> Any:
    """A client with fake credentials that the providers receive in place of a real one (wrap it in a Stubber)."""
    import boto3

    made = boto3.client(service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    hooks.replace[service] = made
    return made


@pytest.fixture(name="stderr_log")
def stderr_log_fixture(monkeypatch: pytest.MonkeyPatch) -> None:
    """`pulumi.log` prints to stderr, as in the provider host, even after a mock-runtime test set an engine."""
    import pulumi.log

    monkeypatch.setattr(pulumi.log, "get_engine", lambda: None)


class FakeSsm:
    """SSM parameters in memory: where the provider records a restore under way (components/provider_records.py)."""

    def __init__(self) -> None:
        self.parameters: dict[str, str] = {}
        self.written: list[str] = []

    def get_parameter(self, Name: str) -> dict[str, Any]:  # noqa: N803 - boto3's parameter names
        if Name not in self.parameters:
            raise ClientError({"Error": {"Code": "ParameterNotFound", "Message": Name}}, "GetParameter")
        return {"Parameter": {"Name": Name, "Value": self.parameters[Name]}}

    def put_parameter(self, Name: str, Value: str, **_: Any) -> dict[str, Any]:  # noqa: N803
        self.parameters[Name] = Value
        self.written.append(Name)
        return {"Version": 1}

    def delete_parameter(self, Name: str) -> dict[str, Any]:  # noqa: N803
        if self.parameters.pop(Name, None) is None:
            raise ClientError({"Error": {"Code": "ParameterNotFound", "Message": Name}}, "DeleteParameter")
        return {}
