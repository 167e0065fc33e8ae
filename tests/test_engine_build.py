"""engine/build.py's pure parts: upstream's go.mod turned into a tools module, and the CLI version picked."""

from __future__ import annotations

import pytest

from engine.build import BINARIES, BuildError, pick_cli_version, rewrite_go_mod

CLI, LANGUAGE_HOST = BINARIES

PKG_GO_MOD = """module github.com/pulumi/pulumi/pkg/v3

go 1.25.11

replace github.com/pulumi/pulumi/sdk/v3 => ../sdk

// Working around https://github.com/sergi/go-diff/issues/123
replace github.com/sergi/go-diff => github.com/sergi/go-diff v1.1.0

require (
\tgithub.com/pulumi/pulumi/sdk/v3 v3.259.0
)
"""

LANGUAGE_HOST_GO_MOD = """module github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3

replace (
\tgithub.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e
\tgithub.com/pulumi/pulumi/pkg/v3 => ../../../../pkg
\tgithub.com/pulumi/pulumi/sdk/v3 => ../../..
)
"""


def test_local_replaces_point_at_the_same_version_and_forks_are_kept() -> None:
    out = rewrite_go_mod(PKG_GO_MOD, CLI, "3.274.0").splitlines()
    assert out[0] == "module redshift-backup/engine/pulumi"
    assert "replace github.com/pulumi/pulumi/sdk/v3 => github.com/pulumi/pulumi/sdk/v3 v3.274.0" in out
    assert "replace github.com/sergi/go-diff => github.com/sergi/go-diff v1.1.0" in out
    assert "\tgithub.com/pulumi/pulumi/sdk/v3 v3.259.0" in out  # requires untouched: the replace decides
    assert out[-1] == "require github.com/pulumi/pulumi/pkg/v3 v3.274.0"


def test_a_replace_block_is_rewritten_line_by_line() -> None:
    out = rewrite_go_mod(LANGUAGE_HOST_GO_MOD, LANGUAGE_HOST, "3.272.0").splitlines()
    assert "\tgithub.com/pulumi/pulumi/pkg/v3 => github.com/pulumi/pulumi/pkg/v3 v3.272.0" in out
    assert "\tgithub.com/pulumi/pulumi/sdk/v3 => github.com/pulumi/pulumi/sdk/v3 v3.272.0" in out
    assert ("\tgithub.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e"
            in out)


def test_a_local_replace_outside_pulumis_modules_is_refused() -> None:
    with pytest.raises(BuildError, match="replaces with '../vendor/x', not a known Pulumi module"):
        rewrite_go_mod("module m\n\nreplace example.com/x => ../vendor/x\n", CLI, "3.274.0")


def test_the_cli_is_built_at_the_sdks_version_or_the_next_one_served() -> None:
    assert pick_cli_version("3.272.0", ["3.260.0", "3.272.0", "3.274.0"]) == "3.272.0"
    assert pick_cli_version("3.272.0", ["3.260.0", "3.274.1", "3.274.0", "3.280.0"]) == "3.274.0"
    with pytest.raises(BuildError, match="serves no github.com/pulumi/pulumi/pkg/v3 at v3.272.0 or newer"):
        pick_cli_version("3.272.0", ["3.260.0"])
