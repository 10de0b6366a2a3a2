"""CDK Terrain end to end (docs/toolchains.md): the per-set example synthesized by `cdktn synth` in
the cdktn environment, deployed with `cdktn deploy` against the emulator, tripped (only `marketing`
pauses), destroyed without leftovers. The same steps as tests/e2e/test_e2e_deploy.py, through the
other CLI on Node 22; the redeploy and S3-backend checks stay there (they test Terraform, not the CDK).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.deploy_helpers import (
    LOCAL_STATE_DELETION_OPT_IN,
    ROOT,
    Deployer,
    account_sending_enabled,
    deliver_to_pause_function,
    guard_leftovers,
    publish_breaching_datapoints,
    set_sending_enabled,
    stack_dir,
    stack_lambda_zip,
    trip_alarm,
)
from tests.e2e.moto_server import MotoServer
from tests.support.terraform import run_command
from tests.toolchain.cdktn_env import (
    CDKTN_APP,
    CDKTN_CLI,
    END_OF_LIFE_BANNER,
    cdktn_environ,
    require_cdktn_environment,
)

pytestmark = pytest.mark.e2e

US = "us-east-1"


class CdktnDeployer(Deployer):
    """The tier's Deployer with tools/cdktn's CLI, Node 22 first on PATH and the app in .venv-cdktn."""

    def env(self, region: str = US, **extra: str) -> dict[str, str]:
        return cdktn_environ(super().env(region, **extra))

    def cdktf(self, args: list[str], env: dict[str, str]) -> str:
        words = [a for a in args[1:] if not a.startswith("-") and "/" not in a and " " not in a]
        return run_command([str(CDKTN_CLI), *args], cwd=ROOT, env=env, what=" ".join(["cdktn", args[0], *words])).output

    def synth(self, outdir: Path, env: dict[str, str]) -> str:
        return self.cdktf(["synth", "--app", CDKTN_APP, "--output", str(outdir)], env)


def test_cdktn_deploys_the_per_set_example_pauses_only_marketing_and_destroys_it(
    deployer: Deployer, fresh_emulator: MotoServer, tmp_path: Path
) -> None:
    require_cdktn_environment()
    server, stack, prefix = fresh_emulator, "per-set", "ses-guard-sets"
    cdktn = CdktnDeployer(server, deployer.workdir)
    # The test ends with a destroy, which deletes the managed sets: opted into for this deployment.
    env = cdktn.env(US, **LOCAL_STATE_DELETION_OPT_IN)
    # Own folder: the local state lands beside the output folders (../terraform.<stack>.tfstate),
    # so cdktn's output and cdktf's (a sibling) share it.
    outdir, cdktf_out = deployer.workdir / "cdktn" / "cdktf.out", deployer.workdir / "cdktn" / "cdktf.out-cdktf"
    outdir.parent.mkdir(exist_ok=True)
    synth_log = cdktn.synth(outdir, env)
    assert END_OF_LIFE_BANNER not in synth_log.lower(), synth_log[-2000:]
    cdktf_env = deployer.env(US, **LOCAL_STATE_DELETION_OPT_IN)
    deployer.synth(cdktf_out, cdktf_env)

    deploy_log = cdktn.deploy([stack], outdir, env)
    assert END_OF_LIFE_BANNER not in deploy_log.lower(), deploy_log[-2000:]
    cdktn.assert_converged(stack_dir(outdir, stack), env, "after cdktn deploy")
    assert set_sending_enabled(server, US, "marketing") and set_sending_enabled(server, US, "transactional")
    # Interchangeable: cdktf's configuration of the stack plans no change on the state cdktn wrote.
    deployer.terraform(["init", "-input=false"], stack_dir(cdktf_out, stack), cdktf_env)
    deployer.assert_converged(stack_dir(cdktf_out, stack), cdktf_env, "of the cdktf configuration on cdktn's state")

    alarm_name = f"{prefix}-set-marketing-bounce-critical"
    publish_breaching_datapoints(server, US, alarm_name)
    _, message = trip_alarm(server, US, alarm_name)
    outcome = deliver_to_pause_function(server, US, prefix, message, stack_lambda_zip(outdir, stack), tmp_path)
    assert outcome["ok"], outcome
    assert [p["target"] for p in outcome["summary"]["paused"]] == ["configuration-set:marketing"], outcome
    assert not set_sending_enabled(server, US, "marketing")
    assert set_sending_enabled(server, US, "transactional") and account_sending_enabled(server, US)

    cdktn.destroy([stack], outdir, env)
    assert guard_leftovers(server, US, prefix, ["marketing", "transactional", "partner-digest"]) == {}
