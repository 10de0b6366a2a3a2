"""Which CDK the constructs run on (``ses_reputation_guard._cdktf``): cdktf by default, CDK Terrain
(cdktn) when it is the one installed or when SES_GUARD_TOOLCHAIN names it; the cdktn environment's pins."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable

import pytest

from ses_reputation_guard._cdktf import TOOLCHAIN, TOOLCHAIN_ENV, TOOLCHAINS, Toolchain, select_toolchain
from tests.toolchain.cdktn_env import (
    CDKTN_VENV,
    END_OF_LIFE_BANNER,
    SILENCE_VARIABLE,
    cdktn_environ,
    require_cdktn_environment,
    run_in_cdktn,
)
from tools.cdktn.requirements import CDKTF_PACKAGES, cdktn_requirements, requirement_name


def only(*names: str) -> Callable[[Toolchain], bool]:
    """An `installed` probe that sees just these toolchains."""
    return lambda toolchain: toolchain.name in names


def test_cdktf_is_chosen_when_both_toolchains_are_installed() -> None:
    assert select_toolchain({}, only("cdktf", "cdktn")).name == "cdktf"


def test_cdktn_is_chosen_when_only_cdktn_is_installed() -> None:
    chosen = select_toolchain({}, only("cdktn"))
    assert (chosen.core_package, chosen.provider_package) == ("cdktn", "cdktn_provider_aws")


def test_environment_variable_chooses_cdktn_over_an_installed_cdktf() -> None:
    assert select_toolchain({TOOLCHAIN_ENV: "cdktn"}, only("cdktf", "cdktn")).name == "cdktn"


def test_unknown_toolchain_name_is_one_error_naming_the_value_and_the_choices() -> None:
    with pytest.raises(ValueError, match=r"SES_GUARD_TOOLCHAIN='cdk8s' is not a toolchain: use one of cdktf, cdktn"):
        select_toolchain({TOOLCHAIN_ENV: "cdk8s"}, only("cdktf"))


def test_requested_toolchain_that_is_not_installed_names_the_install_command() -> None:
    with pytest.raises(
        ImportError,
        match=r"SES_GUARD_TOOLCHAIN=cdktn but cdktn and cdktn_provider_aws are not both installed: "
        r"run `make venv-cdktn`",
    ):
        select_toolchain({TOOLCHAIN_ENV: "cdktn"}, only("cdktf"))


def test_no_installed_toolchain_names_both_install_commands() -> None:
    with pytest.raises(ImportError, match=r"make venv.* or .*make venv-cdktn"):
        select_toolchain({}, only())


def test_installed_probe_needs_the_core_and_the_provider_package() -> None:
    half = Toolchain("half", "cdktf", "no_such_provider_package_for_the_test", "-")
    from ses_reputation_guard._cdktf import toolchain_installed

    assert toolchain_installed(TOOLCHAINS["cdktf"]) and not toolchain_installed(half)


def test_the_project_environment_runs_on_cdktf() -> None:
    assert TOOLCHAIN.name == "cdktf"


def test_cdktn_requirements_are_the_project_pins_without_cdktf_plus_the_cdktn_extra() -> None:
    requirements = cdktn_requirements()
    names = [requirement_name(r) for r in requirements]
    assert not CDKTF_PACKAGES & set(names)
    assert {"cdktn", "cdktn-provider-aws", "constructs", "boto3"} <= set(names)
    assert all(re.fullmatch(r"[a-z0-9-]+==[0-9.]+", r) for r in requirements), requirements


@pytest.mark.slow
def test_cdktn_environment_holds_only_cdktn_and_picks_it_without_being_told() -> None:
    require_cdktn_environment()
    env = cdktn_environ()
    del env[TOOLCHAIN_ENV]
    probe = (
        "import importlib.util, json, os\n"
        "from ses_reputation_guard._cdktf import TOOLCHAIN\n"
        "print(json.dumps({'toolchain': TOOLCHAIN.name, 'cdktf': importlib.util.find_spec('cdktf') is not None,"
        " 'jsii_node': os.environ.get('JSII_NODE')}))\n"
    )
    result = run_in_cdktn(["-c", probe], env=env)
    report = json.loads(result.stdout)
    assert report["toolchain"] == "cdktn" and report["cdktf"] is False, report
    assert report["jsii_node"] == str(CDKTN_VENV / "bin" / "node"), report
    assert END_OF_LIFE_BANNER not in result.stderr.lower() and SILENCE_VARIABLE not in env


@pytest.mark.slow
def test_cdktn_environment_node_is_22_19_or_newer() -> None:
    require_cdktn_environment()
    version = subprocess.run(
        [str(CDKTN_VENV / "bin" / "node"), "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    major, minor, _ = (int(part) for part in version.lstrip("v").split("."))
    assert (major, minor) >= (22, 19), version
