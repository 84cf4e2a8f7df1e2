# AWS example: the least-privilege security group rules of a SEAL PLOSSYS
# cluster, computed by portmap (./portmap) and created with the
# aws_vpc_security_group_*_rule resources. Security groups created by
# aws_security_group start without AWS's default allow-all egress rule, so
# these rules are all the traffic the groups allow.

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
