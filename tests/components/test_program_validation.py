"""The real `__main__.py` under the mock runtime stops on a bad config before registering a single resource."""

from __future__ import annotations

import json

import pulumi
import pytest

from policies.errors import ConfigError
from redshift_backup import mockrun

BAD_POLICIES = [{
    "name": "analytics",
    "selection": {"clusters": ["analytics-prod"]},
    "backup": {"rules": [{"name": "daily", "start_window_minutes": 30}]},
}]


def run_expecting_error(config: dict[str, object], monkeypatch: pytest.MonkeyPatch,
                        **run_args: object) -> tuple[ConfigError, list]:
    """Run under the mocks expecting a ConfigError; return it and every registration made before it."""
    registered: list = []
    real_monitor = mockrun.RecordingMonitor

    class Spy(real_monitor):  # type: ignore[misc,valid-type]
        def __init__(self, mocks):  # type: ignore[no-untyped-def]
            super().__init__(mocks)
            self.registrations = registered

    monkeypatch.setattr(mockrun, "RecordingMonitor", Spy)
    with pytest.raises(ConfigError) as exc:
        mockrun.run_program(config, preview=True, **run_args)  # type: ignore[arg-type]
    return exc.value, registered


@pytest.mark.parametrize("preview", [True, False])
def test_invalid_policy_registers_nothing(preview: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    error, registered = run_expecting_error(
        {"aws:region": "us-east-1", "redshift-backup:policies": BAD_POLICIES}, monkeypatch)
    assert registered == []
    assert [p.path for p in error.problems] == ["policies[0].backup.rules[0].start_window_minutes"]
    assert error.source == "stack dev"


def test_misspelt_namespace_key_is_an_error_not_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    error, registered = run_expecting_error(
        {"aws:region": "us-east-1", "redshift-backup:polices": json.dumps(BAD_POLICIES)}, monkeypatch)
    assert registered == []
    assert [p.path for p in error.problems] == ["polices"]


def test_missing_region_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    error, _ = run_expecting_error({"redshift-backup:policies": []}, monkeypatch)
    assert [p.path for p in error.problems] == ["aws:region"]


def test_a_secret_in_the_policies_is_refused_as_check_refuses_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # Pulumi hands the program decrypted values; one secure leaf marks the whole key secret.
    monkeypatch.setattr(pulumi.runtime.config, "is_config_secret", lambda key: key == "redshift-backup:policies")
    config = {"aws:region": "us-east-1", "redshift-backup:policies": [
        {"name": "orders", "selection": {"clusters": ["orders-prod"]}, "notifications": {"emails": ["a@b.co"]},
         "backup": {"rules": [{"name": "daily"}]}}]}
    with pytest.raises(ConfigError) as exc:
        mockrun.run_program(config)
    assert [p.path for p in exc.value.problems] == ["policies"]
    assert "is a Pulumi secret" in exc.value.problems[0].message


def test_the_program_refuses_what_check_refuses_all_in_one_run(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    # One truth: a stack file with defects of many kinds fails `check` and the program with the same problems
    # (the program has no file, so no line numbers; the paths, rules and messages are the same).
    import yaml

    from policies.validation import load_stack_file
    from tests.policies.test_one_pass import MANY

    path = tmp_path / "Pulumi.many.yaml"
    text = MANY.replace("  aws:region: us-east-1\n", "  aws:region: us-east-1\n  aws:assumeRole: {roleArn: x}\n")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as checked:
        load_stack_file(path)
    config = yaml.safe_load(text)["config"]
    error, registered = run_expecting_error(config, monkeypatch)
    assert registered == []
    # Messages too, but for the YAML number hint: only a file holds the digits the user wrote (012345670123).
    by_check = sorted((p.path, p.rule, p.message if p.rule != "yaml-type" else "") for p in checked.value.problems)
    by_program = sorted((p.path, p.rule, p.message if p.rule != "yaml-type" else "") for p in error.problems)
    assert by_program == by_check
    assert len(by_check) == 11
