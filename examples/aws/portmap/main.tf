# The portmap part of the AWS example: a SEAL PLOSSYS cluster whose Output
# Engine servers share one security group, used by job clients and
# administrators on premises. Its outputs are the for_each maps of
# ../main.tf. It needs no cloud provider, so it plans on its own, offline.

terraform {
  required_providers {
    portmap = {
      source = "portmap/portmap"
    }
  }
}

variable "cluster_cidrs" {
  description = "Subnets of the Output Engine servers."
  type        = list(string)
  default     = ["10.1.0.0/24", "10.1.1.0/24"]
}

variable "client_cidrs" {
  description = "Networks of the systems that submit print jobs."
  type        = list(string)
  default     = ["10.20.0.0/16"]
}

variable "admin_cidrs" {
  description = "Networks of the administrators."
  type        = list(string)
  default     = ["10.30.5.0/24"]
}

locals {
  # The nodes that have a security group in this VPC. Giving them a ref
  # makes rules between them reference the security group (one rule per
  # port range instead of one per CIDR); the ref's value is only a label
  # here, ../main.tf maps referenced_node to the real group.
  security_groups = ["plossys"]
}

data "portmap_aws_security_group_rules" "this" {
  # Only the rules of the security groups this configuration manages.
  for_nodes = local.security_groups
  nodes = {
    plossys = {
      components = ["plossys/output-engine"]
      cidrs      = var.cluster_cidrs
      kind       = "group"
      ref        = "plossys"
    }
    clients = {
      components = ["plossys/client"]
      cidrs      = var.client_cidrs
      kind       = "group"
    }
    admins = {
      components = ["plossys/admin"]
      cidrs      = var.admin_cidrs
      kind       = "group"
    }
  }
}

output "security_groups" {
  description = "The nodes that get a security group."
  value       = local.security_groups
}

output "ingress_rules" {
  description = "Inbound rules of those security groups, for aws_vpc_security_group_ingress_rule."
  value = {
    for k, r in data.portmap_aws_security_group_rules.this.rules : k => r
    if r.direction == "ingress"
  }
}

output "egress_rules" {
  description = "Outbound rules of those security groups, for aws_vpc_security_group_egress_rule."
  value = {
    for k, r in data.portmap_aws_security_group_rules.this.rules : k => r
    if r.direction == "egress"
  }
}
