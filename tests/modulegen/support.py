"""What the module generator's tests share: the module's files, in the order the README lists them."""

from __future__ import annotations

# The files the layout's sections fill, in section order (ses_guard_modulegen.layout.SECTIONS).
SECTION_FILES = (
    "main.tf",
    "notifications.tf",
    "configuration_sets.tf",
    "alarms.tf",
    "dashboard.tf",
    "function.tf",
    "sweep.tf",
    "hub.tf",
    "policy.tf",
    "iam.tf",
)
# Every .tf file of the module: the section files, then the inputs, outputs and version pins.
TF_FILES = (*SECTION_FILES, "variables.tf", "outputs.tf", "versions.tf")
FUNCTION_PACKAGE = "lambda/ses_guard_lambda.zip"
