"""`redshift-backup`: check stack files, print the plan, diff two policy versions, emit the config's JSON Schema.

Exit codes: 0 success; 1 invalid configuration (or, for `diff`, a finding at or above `--fail-on`); 2 usage error.
A bad config never ends in a traceback: every problem is printed, one per line, with its path.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from policies.errors import ConfigError
from policies.validation import Stack, load_stack_file, stack_name_of_file

if TYPE_CHECKING:
    from redshift_backup.resource_diff import ResourceDiff

EXIT_INVALID = 1
EXIT_USAGE = 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="redshift-backup")
def main() -> None:
    """Amazon Redshift backup policies as code: validate, plan and review them without an AWS account."""


@main.command()
@click.argument("stack_files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text", show_default=True,
              help="text: file:line:column: path: problem; json: stable, for other tools (docs/check.md); sarif: "
                   "SARIF 2.1.0 for GitHub code scanning.")
def check(stack_files: tuple[Path, ...], fmt: str) -> None:
    """Validate one or more stack files (Pulumi.<stack>.yaml): exit 0 if all are valid, 1 with every problem.

    A missing file is a usage error (exit 2). A valid file that declares no policies and no restores gets a
    warning on standard error, not a failure: an emptied stack is a normal step before `pulumi destroy`.
    With --format json or sarif the report goes to standard output (also when files are invalid).
    """
    if fmt != "text":
        _check_report(stack_files, fmt)
        return
    failed = False
    for path in stack_files:
        try:
            stack = load_stack_file(path)
        except ConfigError as exc:
            failed = True
            click.echo(exc.render(), err=True)
            continue
        count = len(stack.policies)
        restores = len(stack.config.restores)
        # Restores are checked as policies are: say so, or a stack of restores alone reads as "0 policies".
        checked = f", {restores} restore{'' if restores == 1 else 's'}" if restores else ""
        click.echo(f"{path}: valid ({count} polic{'y' if count == 1 else 'ies'}{checked}, region {stack.region})")
        if not (stack.policies or stack.restores or stack.organization):
            click.echo(f"warning: {path} declares no redshift-backup:policies and no redshift-backup:restores, so "
                       "it manages nothing (is the namespace spelt redshift-backup?)", err=True)
    if failed:
        sys.exit(EXIT_INVALID)


def _check_report(stack_files: tuple[Path, ...], fmt: str) -> None:
    from redshift_backup.check_report import FileResult, to_json, to_sarif

    results = []
    for path in stack_files:
        try:
            stack = load_stack_file(path)
        except ConfigError as exc:
            results.append(FileResult(path, list(exc.problems)))
            continue
        results.append(FileResult(path, region=stack.region, policies=len(stack.policies),
                                  restores=len(stack.restores)))
    click.echo(to_json(results) if fmt == "json" else to_sarif(results), nl=False)
    if not all(r.valid for r in results):
        sys.exit(EXIT_INVALID)


@main.command()
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the schema to this file instead of standard output.")
def schema(output: Path | None) -> None:
    """Print the JSON Schema of `redshift-backup:policies` (for editor completion in stack files)."""
    from policies.schema import config_schema

    text = json.dumps(config_schema(), indent=2, sort_keys=True) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise click.UsageError(f"cannot write {output}: {exc.strerror or exc}") from None
        click.echo(f"wrote {output}")


FORMATS = click.Choice(["text", "markdown", "json"])
NOW_HELP = "The time next backups and RPOs are computed from, ISO 8601 (default: now). Naive times are UTC."


def parse_now(_ctx: click.Context | None, _param: click.Parameter | None, value: str | None) -> datetime:
    """`--now`: an ISO 8601 time; without a zone it is UTC; default the current time."""
    if value is None:
        return datetime.now(UTC).replace(second=0, microsecond=0)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 time (e.g. 2026-01-31T09:00:00Z)") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _load_or_exit(path: Path) -> Stack:
    try:
        return load_stack_file(path)
    except ConfigError as exc:
        click.echo(exc.render(), err=True)
        sys.exit(EXIT_INVALID)


def _tty() -> bool:
    return sys.stdout.isatty()


# Pulumi's rule for stack names.
STACK_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def stack_name_of(path: Path) -> str:
    """`Pulumi.<stack>.yaml` (or `.yml`) names its stack; any other file is named by its stem (`base.yaml`: base)."""
    return stack_name_of_file(path) or path.stem


def _stack_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not STACK_NAME.match(value):
        raise click.BadParameter(f"{value!r} is not a stack name: use letters, digits, '-', '_' and '.'")
    return value


@main.command()
@click.argument("stack_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--stack", "stack_name", callback=_stack_option, metavar="NAME",
              help="The stack to run the program as (default: <stack> of Pulumi.<stack>.yaml, else the file's "
                   "name without its extension).")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True,
              help="text: a terminal table; markdown: a PR comment; json: stable, for other tools.")
@click.option("--now", "now", callback=parse_now, metavar="ISO8601", help=NOW_HELP)
def plan(stack_file: Path, stack_name: str | None, fmt: str, now: datetime) -> None:
    """Print the full plan: each policy in words, the protection matrix, every resource, declared restores.

    The resource list comes from running the real program under Pulumi's mock runtime: no AWS credentials and
    no Pulumi CLI are needed. Exit 0; 1 if the stack file is invalid or the program fails; 2 on a usage error
    (a missing file, as for `check`).
    """
    from policies.summary import summarize
    from redshift_backup import render
    from redshift_backup.assumptions import account_of, assumptions_lines
    from redshift_backup.plan import ProgramFailed, close_event_loop_at_exit, resource_plan, stack_file_config

    name = stack_name or stack_name_of(stack_file)
    if not STACK_NAME.match(name):
        raise click.UsageError(f"{stack_file.name} does not name a stack ({name!r} is not a stack name): "
                               "give --stack NAME")
    stack = dataclasses.replace(_load_or_exit(stack_file), name=name)
    summary = summarize(stack, now)
    resources = None
    error = None
    account = account_of(stack)
    try:
        resources = resource_plan(stack_file_config(stack_file), stack=name, account=account.id)
    except ProgramFailed as exc:
        error = str(exc)
    finally:
        close_event_loop_at_exit()
    from redshift_backup.audit_plan import audit_plan_document, audit_plan_markdown, audit_plan_text
    from redshift_backup.org_render import org_matrix_rows, org_plan_document, org_plan_markdown, org_plan_text

    assumptions = assumptions_lines(account, [line for r in resources or () for line in render.input_lines(r.inputs)])
    if fmt == "json":
        click.echo(render.to_json({**render.plan_document(summary, resources, error, assumptions),
                                   **audit_plan_document(stack), **org_plan_document(stack, now)}), nl=False)
    elif fmt == "markdown":
        click.echo(render.plan_markdown(summary, resources, error, assumptions) + audit_plan_markdown(stack)
                   + org_plan_markdown(stack, now), nl=False)
    else:
        click.echo(render.plan_text(summary, resources, error, tty=_tty(), assumptions=assumptions,
                                    extra_rows=org_matrix_rows(stack, now))
                   + audit_plan_text(stack) + org_plan_text(stack, now), nl=False)
    if error is not None:
        sys.exit(EXIT_INVALID)


@main.command()
@click.argument("stack_files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--base", "base", metavar="GIT_REF",
              help="Compare STACK_FILE with its version at this git ref (e.g. origin/main).")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True,
              help="text: a terminal table; markdown: a PR comment; json: stable, for other tools.")
@click.option("--fail-on", "fail_on", type=click.Choice(["high", "medium", "never"]), default="high",
              show_default=True, help="Exit 1 when a finding is at this level or above.")
@click.option("--now", "now", callback=parse_now, metavar="ISO8601", help=NOW_HELP)
@click.option("--resources/--no-resources", "with_resources", default=True, show_default=True,
              help="Also run the program of both sides under Pulumi's mock runtime and list the resources that "
                   "change.")
def diff(stack_files: tuple[Path, ...], base: str | None, fmt: str, fail_on: str, now: datetime,
         with_resources: bool) -> None:
    """Show what a policy change does to each cluster's protection, with a risk level per finding, and which
    resources it creates, deletes, updates or replaces (both sides run under Pulumi's mock runtime, offline).

    Give OLD NEW stack files, or one STACK_FILE with --base GIT_REF. With --base, a STACK_FILE deleted from the
    working tree is compared with an empty stack (everything it declared is removed). Exit 0; 1 when a finding
    reaches --fail-on or a stack file is invalid; 2 on a usage error (a missing stack file, as for `check` and
    `plan`; a missing git or git ref).
    """
    from policies.diff import diff_stacks
    from redshift_backup import diff_render, render
    from redshift_backup.gitbase import GitError, empty_stack, stack_at_ref
    from redshift_backup.plan import stack_file_config

    if base is None and len(stack_files) != 2:
        raise click.UsageError("give OLD and NEW stack files, or one STACK_FILE with --base GIT_REF")
    if base is not None and len(stack_files) != 1:
        raise click.UsageError("with --base give exactly one STACK_FILE")
    # The `config:` maps the program receives on each side (None: that side has no stack file).
    raw_configs: tuple[dict[str, object] | None, dict[str, object] | None]
    if base is not None:
        path = stack_files[0]
        try:
            at_base = stack_at_ref(path, base)
        except GitError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(EXIT_USAGE)
        except ConfigError as exc:
            click.echo(exc.render(), err=True)
            sys.exit(EXIT_INVALID)
        if at_base.stack is None and not path.exists():
            raise click.UsageError(f"{path} does not exist, neither in the working tree nor at {base}")
        if at_base.stack is not None and not path.exists():
            # A pull request that deletes the stack file: everything it declared goes away.
            old = at_base.stack
            new = empty_stack(old.region, f"{path} (deleted)", path)
            raw_configs = (at_base.raw_config, None)
        else:
            new = _load_or_exit(path)
            old = at_base.stack or empty_stack(new.region, f"{at_base.label} (not in {base})", path)
            raw_configs = (at_base.raw_config, stack_file_config(path))
    else:
        missing = [str(path) for path in stack_files if not path.exists()]
        if missing:
            raise click.UsageError(f"no such stack file: {', '.join(missing)}")
        problems = []
        loaded = []
        for path in stack_files:
            try:
                loaded.append(load_stack_file(path))
            except ConfigError as exc:
                problems.append(exc.render())
        if problems:
            click.echo("\n".join(problems), err=True)
            sys.exit(EXIT_INVALID)
        old, new = loaded
        raw_configs = (stack_file_config(stack_files[0]), stack_file_config(stack_files[1]))
    result = diff_stacks(old, new, now)
    resources, assumptions = _resource_view(old, new, raw_configs) if with_resources else (None, [])
    if fmt == "json":
        click.echo(render.to_json(diff_render.diff_document(result, fail_on, resources, assumptions)), nl=False)
    elif fmt == "markdown":
        click.echo(diff_render.diff_markdown(result, fail_on, resources, assumptions), nl=False)
    else:
        click.echo(diff_render.diff_text(result, fail_on, tty=_tty(), resources=resources, assumptions=assumptions),
                   nl=False)
    if result.fails(fail_on):
        sys.exit(EXIT_INVALID)


def _resource_view(old: Stack, new: Stack, raw_configs: tuple[dict[str, object] | None, dict[str, object] | None]
                   ) -> tuple[ResourceDiff, list[str]]:
    """`diff`'s resource view (both sides run as one account: `redshift_backup.assumptions`), and the note on
    what it assumes."""
    from redshift_backup.assumptions import account_of, assumptions_lines
    from redshift_backup.plan import close_event_loop_at_exit
    from redshift_backup.resource_diff import resource_diff

    account = account_of(new, old)
    names = list(dict.fromkeys(p.name for p in [*old.policies, *new.policies]))
    try:
        resources = resource_diff(*raw_configs, stack=new.name or old.name or "stack", account=account.id,
                                  policies=names)
    finally:
        close_event_loop_at_exit()
    # Placeholders can only be in the changed values the view shows.
    shown = [text for c in resources.changes for i in c.inputs for text in (i.old, i.new, *i.removed, *i.added)]
    return resources, assumptions_lines(account, shown)


def _add_audit_command() -> None:
    from redshift_backup.audit import audit_command

    main.add_command(audit_command)


_add_audit_command()


if __name__ == "__main__":  # pragma: no cover
    main()
