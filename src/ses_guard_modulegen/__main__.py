"""``python -m ses_guard_modulegen [--out DIR]``: regenerate the plain Terraform module (``make module``)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ses_guard_modulegen.generator import MODULE_DIR_NAME, write_module


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("modules") / MODULE_DIR_NAME,
        help=f"module folder to (re)write; default modules/{MODULE_DIR_NAME}",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    written = write_module(args.out)
    print(f"module: {args.out}/ ({len(written)} files) in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
