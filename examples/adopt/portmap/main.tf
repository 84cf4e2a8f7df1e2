# The same security groups with the quickstart's rules computed by portmap.
# Copy ../existing's state here (or apply this configuration in its
# directory) with moved.tf next to this file: moved.tf, written by
#
#   portmap adopt examples/audit/topology.yaml \
#     --from-state examples/adopt/existing/show.json --map examples/adopt/map.yaml \
#     --group-resource node -o examples/adopt/portmap/moved.tf
#
# moves the 3 security groups and the 6 rules that are exactly portmap's
# to the addresses below, and imports a seventh (an aws_security_group_rule,
# forgotten without being destroyed), so the plan keeps them (it updates
# their descriptions in place), deletes the 4 rules that must change and
# creates the 3 rules nothing allowed exactly.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.30"
    }
    portmap = {
      source = "portmap/portmap"
    }
  }
}

provider "aws" {
  region = "eu-central-1"
}

provider "portmap" {}

variable "vpc_id" {
  description = "The VPC of the Tachyon servers."
  type        = string
  default     = "vpc-0a1b2c3d4e5f60000"
}

data "portmap_aws_security_group_rules" "this" {
  nodes = {
    app     = { components = ["tachyon-5/master-stack", "tachyon-5/response-stack"], cidrs = ["10.0.1.10/32"] }
    sql     = { components = ["tachyon-5/sql-server"], cidrs = ["10.0.2.10/32"] }
    clients = { components = ["tachyon-5/client", "tachyon-5/browser"], cidrs = ["10.8.0.0/16"], kind = "group" }
  }
  products = {
    "tachyon-5" = { settings = { switch_port = 4100 }, features = ["named-sql-instance"] }
  }
}

locals {
  # Name and description as today, so the groups are kept as they are.
  groups = {
    app     = "Tachyon app server"
    sql     = "Tachyon SQL Server"
    clients = "Tachyon clients"
  }
  rules = data.portmap_aws_security_group_rules.this.rules
}

resource "aws_security_group" "node" {
  for_each = local.groups

  name        = each.key
  description = each.value
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "this" {
  for_each = { for k, r in local.rules : k => r if r.direction == "ingress" }

  security_group_id            = aws_security_group.node[each.value.node].id
  ip_protocol                  = each.value.ip_protocol
  from_port                    = each.value.from_port
  to_port                      = each.value.to_port
  cidr_ipv4                    = each.value.cidr_ipv4
  cidr_ipv6                    = each.value.cidr_ipv6
  referenced_security_group_id = each.value.referenced_node == null ? null : aws_security_group.node[each.value.referenced_node].id
  description                  = each.value.description
}

resource "aws_vpc_security_group_egress_rule" "this" {
  for_each = { for k, r in local.rules : k => r if r.direction == "egress" }

  security_group_id            = aws_security_group.node[each.value.node].id
  ip_protocol                  = each.value.ip_protocol
  from_port                    = each.value.from_port
  to_port                      = each.value.to_port
  cidr_ipv4                    = each.value.cidr_ipv4
  cidr_ipv6                    = each.value.cidr_ipv6
  referenced_security_group_id = each.value.referenced_node == null ? null : aws_security_group.node[each.value.referenced_node].id
  description                  = each.value.description
}
