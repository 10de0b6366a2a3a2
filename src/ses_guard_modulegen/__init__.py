"""Build-time generator of the plain Terraform module (``modules/terraform-aws-ses-reputation-guard``).

Not part of the construct library: it renders the ``ReputationGuard`` construct, fed with ``var.*``
references, as a hand-readable Terraform module (HCL with the cdktf 0.21 workarounds in ``hcl``,
variables with validation in ``variables``, outputs and README in ``generator``).

    python -m ses_guard_modulegen      # or: make module
"""
