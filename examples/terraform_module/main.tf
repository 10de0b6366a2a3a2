# A plain Terraform root module that uses the generated module: no Python, no cdktf.
# Account-wide pause plus three configuration sets with different thresholds and actions.

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

  name_prefix         = "ses-guard-tf"
  notification_emails = var.notification_emails

  account_policy = {
    action = "pause"
  }

  configuration_sets = {
    # Pauses only marketing, earlier than the defaults.
    marketing = {
      action            = "pause"
      bounce_warning    = 0.015
      bounce_critical   = 0.03
      complaint_warning = 0.0004
    }
    # Protected: notify only, never paused.
    transactional = {
      action = "notify"
    }
    # An existing set: alarms and pausing only (enable its reputation metrics yourself).
    newsletters = {
      action             = "pause"
      managed            = false
      complaint_critical = 0.0006
    }
  }

  tags = {
    project = "ses-reputation-guard"
    example = "terraform-module"
  }
}

output "notification_topic_arn" {
  description = "Subscribe more endpoints here."
  value       = module.ses_guard.notification_topic_arn
}

output "function_name" {
  description = "The pause function."
  value       = module.ses_guard.function_name
}

output "configuration_set_alarm_arns" {
  description = "Per-set alarms."
  value       = module.ses_guard.configuration_set_alarm_arns
}
