"""``python -m ses_guard_lambda``: see `ses_guard_lambda.cli`."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
