"""The encoding of what providers write into AWS (components/provider_records.py) stays within AWS's tag limits."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.provider_records import MAX_TAG_VALUE, pairs, record_name, tag_key, tag_value
from policies.errors import ProviderError

# AWS's tag characters for Redshift: letters, digits, spaces and _ . : / = + - @.
TAG_CHARS = re.compile(r"^[\w .:/=+\-@]*$")


@given(st.text(max_size=600))
def test_any_text_becomes_a_valid_tag_value_and_long_ones_stay_distinct(text: str) -> None:
    value = tag_value(text)
    assert len(value) <= MAX_TAG_VALUE and TAG_CHARS.match(value)
    if len(text) > MAX_TAG_VALUE:
        assert tag_value(text + "x") != value


def test_an_owner_value_that_fits_is_kept_as_written() -> None:
    assert tag_value("redshift-backup/prod/share-nightly") == "redshift-backup/prod/share-nightly"
    assert tag_value("proj/dev/naïve name") == "proj/dev/naïve name"  # Unicode letters are allowed
    assert tag_value("proj/dev/a,b") == "proj/dev/a_b"


def test_keys_are_prefixed_and_bounded() -> None:
    assert tag_key("granted", "111111111111") == "redshift-backup:granted:111111111111"
    assert tag_key("granted", "amazon-redshift-support") == "redshift-backup:granted:amazon-redshift-support"
    with pytest.raises(ProviderError, match="longer than AWS's 128 characters"):
        tag_key("x" * 120)


def test_record_values_and_parameter_names() -> None:
    assert pairs("cluster=prod automated=3 manual=none") == {"cluster": "prod", "automated": "3", "manual": "none"}
    assert record_name("cluster-restore", "drill") == "/redshift-backup/cluster-restore/drill"
    assert record_name("x", "a b$c") == "/redshift-backup/x/a_b_c"
