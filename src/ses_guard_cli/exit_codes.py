"""Every exit code of ``ses-guard``, in one place (the help text of the command lists them)."""

from __future__ import annotations

from typing import Final

EXIT_OK: Final = 0
EXIT_AWS_ERROR: Final = 1
"""AWS refused or failed a call, or an input file could not be used."""
EXIT_INPUT_ERROR: Final = EXIT_AWS_ERROR
EXIT_USAGE: Final = 2
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
