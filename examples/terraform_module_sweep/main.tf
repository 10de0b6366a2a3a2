# The sweep variant of examples/terraform_module: every configuration set of the Region, present and
# future, judged by a scheduled run of two Metrics Insights queries instead of alarms (docs/sweep.md),
# with a protected set, explicit policies that win and the account judged by the same run.

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
    }
  }
}

variable "region" {
  description = "AWS Region to guard (SES reputation is regional)."
  type        = string
  default     = "us-east-1"
}

variable "notification_emails" {
  description = "Who hears about warnings, pauses and guard failures."
  type        = list(string)
  default     = ["deliverability@example.com"]
}

provider "aws" {
  region = var.region
}

module "ses_guard" {
  # From another repository: "git::https://<your git host>/ses-reputation-guard.git//modules/terraform-aws-ses-reputation-guard?ref=<tag>"
  source = "../../modules/terraform-aws-ses-reputation-guard"

  name_prefix         = "ses-guard-sweep"
  notification_emails = var.notification_emails

  # Sweep mode: every hour the function reads the rates of every set of the Region and pauses a set
  # over the guard's default critical thresholds, whatever its name and even if the application
  # created it after this deploy. Every other attribute has a default.
  sweep_policy = {
    action           = "pause"
    schedule_minutes = 60
  }

  # Never paused, whatever the evidence (alarms, fleet or sweep); its warnings still notify.
  protected_configuration_sets = ["transactional"]

  # The account: judged by the sweep run (evaluate_account defaults to true) with this policy, so no
  # account-wide alarm is needed; a breach only notifies.
  account_policy = {
    action  = "notify"
    enabled = false
  }

  configuration_sets = {
    # Its own, stricter thresholds instead of the sweep's: only its own alarms judge it.
    vip = {
      action          = "pause"
      bounce_warning  = 0.01
      bounce_critical = 0.02
    }
  }

  tags = {
    project = "ses-reputation-guard"
    example = "terraform-module-sweep"
  }
}

output "sweep_schedule_rule_arn" {
  description = "The EventBridge schedule that starts each sweep run."
  value       = module.ses_guard.sweep_schedule_rule_arn
}

output "sweep_state_table_name" {
  description = "The DynamoDB table holding the run lock and the open warning episodes."
  value       = module.ses_guard.sweep_state_table_name
}

output "dashboard_name" {
  description = "The guard's CloudWatch dashboard."
  value       = module.ses_guard.dashboard_name
}
