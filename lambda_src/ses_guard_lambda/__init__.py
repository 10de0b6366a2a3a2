"""The pausing Lambda and the status/resume tool of ses-reputation-guard."""
