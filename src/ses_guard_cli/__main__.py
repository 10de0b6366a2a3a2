"""``python -m ses_guard_cli``: the same as the ``ses-guard`` console script."""

import sys

from ses_guard_cli.cli import main

if __name__ == "__main__":
    sys.exit(main())
