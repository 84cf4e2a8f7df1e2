# AWS example: the least-privilege security group rules of a SEAL PLOSSYS
# cluster, computed by portmap (./portmap) and created with the
# aws_vpc_security_group_*_rule resources. Security groups created by
# aws_security_group start without AWS's default allow-all egress rule, so
# these rules are all the traffic the groups allow. Each group is attached
# to the network interfaces of its node's servers (var.network_interface_ids).
# Security groups add up: remove the interfaces' other groups (such as the
# VPC's default group, which allows all egress), or they still allow more.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.30"
    }
  }
}

variable "region" {
  description = "AWS region."
  type        = string
  default     = "eu-central-1"
}

variable "vpc_id" {
  description = "The VPC of the PLOSSYS servers."
  type        = string
}

variable "network_interface_ids" {
  description = "The network interfaces (ENI ids, eni-...) of each node's servers, by node name (a node of module.portmap.security_groups). Each gets the node's security group. The ids must be known at plan time."
  type        = map(list(string))

  validation {
    condition     = alltrue([for enis in values(var.network_interface_ids) : alltrue([for eni in enis : can(regex("^eni-[0-9a-f]+$", eni))])])
    error_message = "Network interface ids start with \"eni-\"."
  }
}

provider "aws" {
  region = var.region
}

module "portmap" {
  source = "./portmap"
}

resource "aws_security_group" "node" {
  for_each = toset(module.portmap.security_groups)

  name        = "plossys-${each.key}"
  description = "PLOSSYS ${each.key}: rules computed by portmap"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "this" {
  for_each = module.portmap.ingress_rules

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
  for_each = module.portmap.egress_rules

  security_group_id            = aws_security_group.node[each.value.node].id
  ip_protocol                  = each.value.ip_protocol
  from_port                    = each.value.from_port
  to_port                      = each.value.to_port
  cidr_ipv4                    = each.value.cidr_ipv4
  cidr_ipv6                    = each.value.cidr_ipv6
  referenced_security_group_id = each.value.referenced_node == null ? null : aws_security_group.node[each.value.referenced_node].id
  description                  = each.value.description
}

locals {
  # "node/eni-id" => node, one per interface of a node's servers. An
  # interface listed under two nodes gets both groups.
  attachments = merge([
    for node, enis in var.network_interface_ids : { for eni in enis : "${node}/${eni}" => node }
  ]...)
}

# Attaches the node's security group to each of its servers' interfaces,
# keeping their other groups. Do not also manage these interfaces' groups
# with aws_instance.vpc_security_group_ids or aws_network_interface's
# security_groups: the two would undo each other.
resource "aws_network_interface_sg_attachment" "node" {
  for_each = local.attachments

  security_group_id    = aws_security_group.node[each.value].id
  network_interface_id = split("/", each.key)[1]

  lifecycle {
    precondition {
      condition     = contains(module.portmap.security_groups, each.value)
      error_message = "network_interface_ids names a node without a security group; the nodes with one are module.portmap.security_groups."
    }
  }
}
