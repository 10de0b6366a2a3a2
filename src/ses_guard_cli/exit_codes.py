"""Every exit code of ``ses-guard``, in one place (the help text of the command lists them).

One rule decides between 1 and 2: **2** when the command line or what it names is wrong before any AWS
call is made (an unknown option, a bad value, an input file that cannot be read or breaks a rule, no
Region, a ``--region`` that disagrees with the Region of the stack or plan given); **1** when AWS
refused or failed a call, or does not hold what the arguments name (a configuration set, a function,
an alarm), or there are no credentials. Scripts can retry a 1; a 2 needs a different command.
"""

from __future__ import annotations

from typing import Final

EXIT_OK: Final = 0
EXIT_AWS_ERROR: Final = 1
"""AWS refused or failed a call, or does not hold what the arguments name; no credentials."""
EXIT_USAGE: Final = 2
"""The command line is wrong: argparse's own errors (unknown option, bad value, missing argument), an
argument value a rule refuses, no Region, a ``--region`` that disagrees with the stack's or plan's."""
EXIT_INPUT_ERROR: Final = EXIT_USAGE
"""An input file named on the command line (policy, stack folder, module variables, plan JSON) that
cannot be read or breaks a rule: a usage error too (the command needs a different argument)."""
EXIT_REFUSED: Final = 3
EXIT_ABORTED: Final = 4
EXIT_DRILL_FAILED: Final = 5
EXIT_PARTIAL_EPISODE_OPEN: Final = 6
"""``resume --account --name-prefix``: closing the alarm episode failed (DescribeAlarms, or SetAlarmState for
an alarm), so the episode is still open; account sending was left as it was (paused: not re-enabled)."""
EXIT_PARTIAL_STILL_PAUSED: Final = 7
"""``resume --account --name-prefix``: the alarm episode is closed, but re-enabling account sending
(PutAccountSendingAttributes) failed: sending is still paused."""
EXIT_INTERRUPTED: Final = 130  # the shell's convention for SIGINT (128 + 2)
