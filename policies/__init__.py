"""ses-reputation-guard checkov policy pack (load with ``--external-checks-dir policies``)."""
