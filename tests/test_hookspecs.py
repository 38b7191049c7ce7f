"""Every hookspec is documented and tested; a test fails when one is not."""

from __future__ import annotations

import inspect
import textwrap
from pathlib import Path

import pluggy

from crm_host import hookspecs
from crm_host.testing.contract import (
    hookspecs_of,
    marked_hookspecs,
    undocumented_hookspecs,
    untested_hookspecs,
)

ROOT = Path(__file__).parents[1]
TEST_DIRS = [ROOT / "tests", *sorted((ROOT / "plugins").glob("*/tests"))]


def test_every_host_hookspec_is_documented():
    assert undocumented_hookspecs(hookspecs) == {}


def test_every_host_hookspec_is_exercised_by_a_test():
    assert untested_hookspecs(hookspecs, TEST_DIRS) == set()


def test_hookspecs_are_named_crm_and_take_keyword_arguments_only():
    for name, function in hookspecs_of(hookspecs).items():
        assert name.startswith("crm_"), name
        for parameter in inspect.signature(function).parameters.values():
            assert parameter.kind is parameter.POSITIONAL_OR_KEYWORD, (name, parameter)
            assert parameter.default is parameter.empty, (name, parameter)


def test_the_checks_catch_an_undocumented_or_untested_hookspec(tmp_path):
    spec = pluggy.HookspecMarker("crm")

    class Hooks:
        @spec
        def crm_silent(self):
            pass

        @spec
        def crm_vague(self):
            """Called sometimes, returns something, and that is all it says."""

        @spec
        def crm_good(self):
            """Called when good things happen; returns nothing. Collecting."""

    assert undocumented_hookspecs(Hooks) == {
        "crm_silent": "has no docstring saying when it is called and what it returns",
        "crm_vague": "does not say whether it is first-result or collecting",
    }
    (tmp_path / "test_x.py").write_text(
        textwrap.dedent(
            """
            import pytest

            @pytest.mark.hookspec("crm_good")
            def test_good():
                pass
            """
        )
    )
    assert marked_hookspecs([tmp_path]) == {"crm_good"}
    assert untested_hookspecs(Hooks, [tmp_path]) == {"crm_silent", "crm_vague"}
