"""`redshift-backup`: check stack files, print the plan, diff two policy versions, emit the config's JSON Schema.

Exit codes: 0 success; 1 invalid configuration (or, for `diff`, a finding at or above `--fail-on`); 2 usage error.
A bad config never ends in a traceback: every problem is printed, one per line, with its path.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from policies.errors import ConfigError
from policies.validation import load_stack_file

EXIT_INVALID = 1
EXIT_USAGE = 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="redshift-backup")
def main() -> None:
    """Amazon Redshift backup policies as code: validate, plan and review them without an AWS account."""


@main.command()
@click.argument("stack_files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def check(stack_files: tuple[Path, ...]) -> None:
    """Validate one or more stack files (Pulumi.<stack>.yaml): exit 0 if all are valid, 1 with every problem."""
    failed = False
    for path in stack_files:
        try:
            stack = load_stack_file(path)
        except ConfigError as exc:
            failed = True
            click.echo(exc.render(), err=True)
            continue
        count = len(stack.policies)
        click.echo(f"{path}: valid ({count} polic{'y' if count == 1 else 'ies'}, region {stack.region})")
    if failed:
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
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")


@main.command()
@click.argument("stack_file", type=click.Path(dir_okay=False, path_type=Path))
def plan(stack_file: Path) -> None:
    """Print what the stack protects: each policy's rules in plain words, next backups, RPO and retention."""
    from policies.summary import render_summary, summarize

    try:
        stack = load_stack_file(stack_file)
    except ConfigError as exc:
        click.echo(exc.render(), err=True)
        sys.exit(EXIT_INVALID)
    click.echo(render_summary(summarize(stack)))


if __name__ == "__main__":  # pragma: no cover
    main()
