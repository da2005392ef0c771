"""Another construction of the real-data scenario: `--build NAME=VALUE`."""

from __future__ import annotations

import argparse
import inspect

import pytest

from benchmarks.scenario.build import BUILD_PARAMETERS, build_parameter, build_scenario


def test_every_build_parameter_is_one_of_build_scenarios_with_its_type() -> None:
    parameters = inspect.signature(build_scenario).parameters
    for name, kind in BUILD_PARAMETERS.items():
        assert parameters[name].kind is inspect.Parameter.KEYWORD_ONLY
        assert type(parameters[name].default) is kind


def test_a_build_parameter_is_read_with_its_type() -> None:
    assert build_parameter("new_share=0.5") == ("new_share", 0.5)
    assert build_parameter("placements_per_host=12") == ("placements_per_host", 12)


@pytest.mark.parametrize("text", ["seed=3", "new_share", "new_share=", "reviews_per_host=1.5"])
def test_an_unknown_or_malformed_build_parameter_is_refused(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        build_parameter(text)
