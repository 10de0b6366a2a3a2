# Hub mode with plain Terraform, the members' side: the member role the hub guard assumes, in two member
# accounts of an AWS Organization, one provider alias per account that assumes the role AWS
# Organizations created there (docs/organization.md). The hub guard itself runs in the hub account; its
# output function_role_arn is the principal every member role trusts.

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
  description = "Region of the providers. IAM is global: the member role serves every Region of its account."
  type        = string
  default     = "us-east-1"
}

variable "hub_function_role_arn" {
  description = "The hub guard's output function_role_arn (arn:aws:iam::<hub>:role/<name_prefix>-<region>-pause-function)."
  type        = string
  default     = "arn:aws:iam::111111111111:role/ses-guard-org-us-east-1-pause-function"
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
  name_prefix = "ses-guard-org" # the hub guard's name_prefix: the hub assumes <name_prefix>-member
  member_one  = "222222222222"
  member_two  = "333333333333"
}

# Each member account, through the role AWS Organizations created there. The provider's Region does not
# matter to the member role; its regions input says where the hub may act.
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

# Member one: the hub may pause the sets tagged for it (ses-reputation-guard:guard = ses-guard-org and
# ses-reputation-guard:action = pause) and the account's sending, in the member's two Regions.
module "ses_guard_member_one" {
  # From another repository: "git::https://<your git host>/ses-reputation-guard.git//modules/terraform-aws-ses-reputation-guard-member?ref=<tag>"
  source    = "../../modules/terraform-aws-ses-reputation-guard-member"
  providers = { aws = aws.member_one }

  hub_function_role_arn = var.hub_function_role_arn
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

  hub_function_role_arn = var.hub_function_role_arn
  name_prefix           = local.name_prefix
  organization_id       = var.organization_id
  regions               = ["eu-west-1"]
  operator_role_arns    = var.operator_role_arns
}

output "member_role_arns" {
  description = "The member roles the hub assumes, by account."
  value = {
    (local.member_one) = module.ses_guard_member_one.role_arn
    (local.member_two) = module.ses_guard_member_two.role_arn
  }
}
