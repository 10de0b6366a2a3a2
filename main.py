"""The cdktf app of the examples: synthesizes every example stack (JSON and HCL).

    python main.py                 # what `make synth` runs (the module: python -m ses_guard_modulegen)
    python main.py --stacks-only   # what `cdktf synth` / `cdktf deploy` run (cdktf.json)

Output, per stack: ``cdktf.out/stacks/<stack>/cdk.tf.json`` (what `cdktf deploy` applies) and
``cdktf.out/stacks/<stack>/hcl/main.tf`` (the same configuration as HCL, in its own folder so
Terraform never loads both renderings together).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

from examples import EXAMPLES
from ses_guard_modulegen.hcl import render_stack_hcl
from ses_reputation_guard import AWS_PROVIDER_VERSION_RANGE, TERRAFORM_VERSION_RANGE, TerraformStack, new_app

ROOT = Path(__file__).resolve().parent


def synth_stacks(outdir: Path, *, hcl: bool = True) -> list[TerraformStack]:
    app = new_app(outdir)
    stacks: list[TerraformStack] = []
    for build in EXAMPLES.values():
        stacks.extend(build(app))
    app.synth()
    if hcl:
        for stack in stacks:
            write_stack_hcl(stack, outdir)
    return stacks


def write_stack_hcl(stack: TerraformStack, outdir: Path) -> Path:
    stack_dir = outdir / "stacks" / stack.node.id
    hcl_dir = stack_dir / "hcl"
    if hcl_dir.exists():
        shutil.rmtree(hcl_dir)
    hcl_dir.mkdir(parents=True)
    (hcl_dir / "main.tf").write_text(render_stack_hcl(stack, TERRAFORM_VERSION_RANGE, AWS_PROVIDER_VERSION_RANGE))
    # Assets are referenced as ${path.module}/assets/...: give the HCL folder its own copy.
    if (stack_dir / "assets").exists():
        shutil.copytree(stack_dir / "assets", hcl_dir / "assets")
    return hcl_dir


def summarize(outdir: Path, stacks: list[TerraformStack]) -> None:
    print(f"{'stack':<34} {'resource blocks':>15} {'data':>5}  files")
    for stack in stacks:
        stack_dir = outdir / "stacks" / stack.node.id
        config = json.loads((stack_dir / "cdk.tf.json").read_text())
        resources = sum(len(v) for v in config.get("resource", {}).values())
        data = sum(len(v) for v in config.get("data", {}).values())
        hcl = stack_dir / "hcl" / "main.tf"
        files = [_shown(stack_dir / "cdk.tf.json")]
        if hcl.exists():
            files.append(_shown(hcl))
        print(f"{stack.node.id:<34} {resources:>15} {data:>5}  {', '.join(files)}")


def _shown(path: Path) -> str:
    """``path`` relative to the project when it is inside (an outdir elsewhere: ``CDKTF_OUTDIR``)."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stacks-only", action="store_true", help="JSON stacks only (cdktf CLI)")
    parser.add_argument("--quiet", action="store_true", help="no summary")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    # The cdktf CLI tells the app where to write; on our own we write to ./cdktf.out.
    outdir = Path(os.environ.get("CDKTF_OUTDIR", ROOT / "cdktf.out"))
    stacks = synth_stacks(outdir, hcl=not args.stacks_only)
    if not args.quiet and not args.stacks_only:
        summarize(outdir, stacks)
        print(f"done in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
