"""``ses-guard``: the operator tool (status, resume) for ses-reputation-guard. stdlib + boto3 only."""
