"""`redshift-backup audit` without AWS: the identity it takes from a stack file, usage errors, its place in the CLI."""

from __future__ import annotations

import io
import sys

import pytest
from click.testing import CliRunner

from policies.errors import ConfigError
from redshift_backup.audit import stack_credentials_of
from redshift_backup.cli import main


def test_the_identity_comes_from_the_stack_files_aws_settings() -> None:
    config = {"aws:profile": "prod-admin",
              "aws:assumeRoles": [{"roleArn": "arn:aws:iam::111122223333:role/audit", "externalId": "x-1",
                                   "sessionName": "audit"}, {"roleArn": "arn:aws:iam::444455556666:role/read"}]}
    assert stack_credentials_of(config) == {"profile": "prod-admin", "assume_roles": [
        {"role_arn": "arn:aws:iam::111122223333:role/audit", "external_id": "x-1", "session_name": "audit"},
        {"role_arn": "arn:aws:iam::444455556666:role/read"}]}
    assert stack_credentials_of(config, profile="other")["profile"] == "other"
    assert stack_credentials_of({}) == {}


def test_malformed_assume_roles_name_every_bad_entry() -> None:
    with pytest.raises(ConfigError) as err:
        stack_credentials_of({"aws:assumeRoles": [{"roleArn": "arn:aws:iam::1:role/a"}, "oops", {"externalId": "e"}]})
    assert [p.path for p in err.value.problems] == ["aws:assumeRoles[1]", "aws:assumeRoles[2]"]
    with pytest.raises(ConfigError, match="expected a list of objects with a roleArn"):
        stack_credentials_of({"aws:assumeRoles": "arn:aws:iam::1:role/a"})


def test_audit_is_a_command_and_a_missing_stack_file_is_a_usage_error() -> None:
    runner = CliRunner()
    assert "audit" in runner.invoke(main, ["--help"]).output
    missing = runner.invoke(main, ["audit", "Pulumi.nope.yaml"])
    assert missing.exit_code == 2 and "does not exist" in missing.output
    bad_level = runner.invoke(main, ["audit", "Pulumi.prod.yaml", "--fail-on", "low"])
    assert bad_level.exit_code == 2


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_on_a_terminal_and_stays_silent_when_piped(monkeypatch: pytest.MonkeyPatch) -> None:
    from redshift_backup import audit

    piped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", piped)
    task, done = audit._progress_factory()
    task("clusters", 2)()
    done()
    assert piped.getvalue() == ""
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    task, done = audit._progress_factory()
    tick = task("newest snapshot per cluster", 2)
    tick()
    tick()
    done()
    assert "newest snapshot per cluster" in terminal.getvalue()
