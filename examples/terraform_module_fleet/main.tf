# The fleet variant of examples/terraform_module: every configuration set of the Region, present and
# future, under four Metrics Insights alarms (docs/fleet.md), plus explicit policies that win.

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

variable "slack_channels" {
  description = "Slack channels for the notifications (workspace authorized once in the AWS chat console)."
  type        = list(object({ label = string, team_id = string, channel_id = string }))
  default     = []
}

provider "aws" {
  region = var.region
}

module "ses_guard" {
  # From another repository: "git::https://<your git host>/ses-reputation-guard.git//modules/terraform-aws-ses-reputation-guard?ref=<tag>"
  source = "../../modules/terraform-aws-ses-reputation-guard"

  name_prefix         = "ses-guard-fleet"
  notification_emails = var.notification_emails
  slack_channels      = var.slack_channels

  # Fleet mode: a set over the guard's default thresholds is paused, whatever its name and even if the
  # application created it after this deploy. Every other attribute has a default.
  fleet_policy = {
    action = "pause"
  }

  # Backstop: the account-wide alarms only notify.
  account_policy = {
    action = "notify"
  }

  configuration_sets = {
    # Protected: judged only by its own alarms, never paused.
    transactional = {
      action = "notify"
    }
    # Its own, stricter thresholds instead of the fleet's.
    vip = {
      action          = "pause"
      bounce_warning  = 0.01
      bounce_critical = 0.02
    }
  }

  tags = {
    project = "ses-reputation-guard"
    example = "terraform-module-fleet"
  }
}

output "fleet_alarm_arns" {
  description = "The four fleet alarms."
  value       = module.ses_guard.fleet_alarm_arns
}

output "dashboard_name" {
  description = "The guard's CloudWatch dashboard."
  value       = module.ses_guard.dashboard_name
}

output "chat_configuration_arns" {
  description = "One chat configuration per Slack channel."
  value       = module.ses_guard.chat_configuration_arns
}
