# Hub mode with plain Terraform: one guard, the hub, in the hub account; its scheduled sweep also covers
# two member accounts, each holding the member role the hub assumes (docs/organization.md). One provider
# per account: the default one for the hub, an alias per member that assumes the role AWS Organizations
# created there.

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
  description = "AWS Region of the hub guard (SES reputation is regional); the members' Regions are in hub_policy."
  type        = string
  default     = "us-east-1"
}

variable "notification_emails" {
  description = "Who hears about warnings, pauses and guard failures, in the hub and in every member."
  type        = list(string)
  default     = ["deliverability@example.com"]
}

variable "organization_id" {
  description = "The AWS Organizations id (o-...): each member role trusts the hub and the operators only from inside it."
  type        = string
  default     = "o-a1b2c3d4e5"
}

variable "operator_role_arns" {
  description = "Roles the operators run `ses-guard status --hub` and `ses-guard resume` with against the members."
  type        = list(string)
  default     = ["arn:aws:iam::111111111111:role/deliverability-operators"]
}

locals {
  name_prefix = "ses-guard-org" # the hub's name_prefix: every member module must be given the same
  member_one  = "222222222222"
  member_two  = "333333333333"
}

# The hub account: the guard itself.
provider "aws" {
  region = var.region
}

# Each member account, through the role AWS Organizations created there. IAM is global: the provider's
# Region does not matter to the member role; hub_policy and the module's regions say where the hub acts.
provider "aws" {
  alias  = "member_one"
  region = var.region
  assume_role {
    role_arn = "arn:aws:iam::${local.member_one}:role/OrganizationAccountAccessRole"
  }
}

provider "aws" {
  alias  = "member_two"
  region = var.region
  assume_role {
    role_arn = "arn:aws:iam::${local.member_two}:role/OrganizationAccountAccessRole"
  }
}

module "ses_guard" {
  # From another repository: "git::https://<your git host>/ses-reputation-guard.git//modules/terraform-aws-ses-reputation-guard?ref=<tag>"
  source = "../../modules/terraform-aws-ses-reputation-guard"

  name_prefix         = local.name_prefix
  notification_emails = var.notification_emails

  # Hub mode runs on the sweep: every hour the function judges every set of the hub's Region, then
  # assumes <name_prefix>-member in each member and judges the member's Regions there.
  sweep_policy = {
    action = "pause"
  }
  # No account alarm: the sweep judges the account-wide rates of the hub and of each member.
  account_policy = {
    action  = "pause"
    enabled = false
  }

  hub_policy = {
    members = {
      (local.member_one) = {
        regions = ["us-east-1", "eu-west-1"]
        action  = "pause" # sets in critical breach are paused; the account too (account_policy's action)
      }
      (local.member_two) = {
        regions        = ["eu-west-1"]
        action         = "notify" # people are notified only, sets and account
        account_action = "notify"
        thresholds = {
          bounce_critical = 0.03 # stricter than the sweep's
        }
      }
    }
  }

  tags = {
    project = "ses-reputation-guard"
    example = "terraform-module-organization"
  }
}

# Member one: the hub may pause the sets tagged for it (ses-reputation-guard:guard = ses-guard-org and
# ses-reputation-guard:action = pause) and the account's sending, in the member's two Regions.
module "ses_guard_member_one" {
  # From another repository: "git::https://<your git host>/ses-reputation-guard.git//modules/terraform-aws-ses-reputation-guard-member?ref=<tag>"
  source    = "../../modules/terraform-aws-ses-reputation-guard-member"
  providers = { aws = aws.member_one }

  hub_function_role_arn = module.ses_guard.function_role_arn
  name_prefix           = local.name_prefix
  organization_id       = var.organization_id
  pause_scope           = "tagged"
  account_pause_allowed = true
  regions               = ["us-east-1", "eu-west-1"]
  operator_role_arns    = var.operator_role_arns
}

# Member two: notify only, so the role only reads (no set in its pause scope, no account pause).
module "ses_guard_member_two" {
  source    = "../../modules/terraform-aws-ses-reputation-guard-member"
  providers = { aws = aws.member_two }

  hub_function_role_arn = module.ses_guard.function_role_arn
  name_prefix           = local.name_prefix
  organization_id       = var.organization_id
  regions               = ["eu-west-1"]
  operator_role_arns    = var.operator_role_arns
}

output "function_role_arn" {
  description = "The hub function's role: the principal every member role trusts."
  value       = module.ses_guard.function_role_arn
}

output "member_role_arns" {
  description = "The member roles the hub assumes, by account."
  value = {
    (local.member_one) = module.ses_guard_member_one.role_arn
    (local.member_two) = module.ses_guard_member_two.role_arn
  }
}
