"""``ses-guard estimate``'s command line (``estimate_command``): the comparison tables and one-line usage
errors naming the value and the rule. The readers and the report: test_estimate.py."""

from __future__ import annotations

import pytest

from ses_guard_cli.exit_codes import EXIT_INPUT_ERROR, EXIT_OK, EXIT_USAGE
from tests.cli.support import run_cli


def run_estimate(*args: str) -> tuple[int, str, str]:
    return run_cli("estimate", *args)


def test_the_command_compares_modes_in_a_markdown_table() -> None:
    code, out, _ = run_estimate("--compare", "10,1000", "--no-sources")
    assert code == EXIT_OK
    terraform_table = out.split("\n\n", 1)[0]  # then the per-set, fleet or sweep table (test_estimate_compare.py)
    assert terraform_table.count("| per-set |") == 2 and terraform_table.count("| fleet |") == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--stack", "/nonexistent/stack"],
            "/nonexistent/stack: no cdk.tf.json (run `make synth` first, or pass the stack's folder)",
        ),
        (["--stack-dir", "/nonexistent"], "/nonexistent: no stacks/<name>/cdk.tf.json (run `make synth` first)"),
        (["--compare", "10,ten"], "--compare '10,ten': must be whole numbers"),
        (["--compare", "0,20000"], "numbers of sets must be from 1 to 10000"),
        (["--compare", "10", "--fleet-sets", "-1"], "--fleet-sets -1: must be from 0 to 10000"),
    ],
)
def test_bad_input_is_a_usage_error_of_one_line_naming_the_value_and_the_rule(args: list[str], message: str) -> None:
    code, out, err = run_estimate(*args)
    assert code == EXIT_INPUT_ERROR == EXIT_USAGE == 2 and out == ""
    assert err.startswith("error: ") and message in err
