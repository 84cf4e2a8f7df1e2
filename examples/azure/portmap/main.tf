# The portmap part of the Azure example: a 1E platform server with its SQL
# Server and a DMZ server for internet-facing clients, each with its own
# network security group and application security group. Its outputs are
# the for_each maps of ../main.tf. It needs no cloud provider, so it plans
# on its own, offline.

terraform {
  required_providers {
    portmap = {
      source = "portmap/portmap"
    }
  }
}

variable "subscription_id" {
  description = "The subscription of the application security groups."
  type        = string
  default     = "00000000-0000-0000-0000-000000000000"
}

variable "resource_group_name" {
  description = "The resource group of the application security groups."
  type        = string
  default     = "rg-1e"
}

variable "client_cidrs" {
  description = "Networks of the 1E clients and the console users."
  type        = list(string)
  default     = ["10.20.0.0/16"]
}

variable "crl_cidrs" {
  description = "Addresses of the CRL distribution point of the DMZ server's certificate."
  type        = list(string)
  default     = ["203.0.113.0/24"]
}

locals {
  # The nodes with a network security group and an application security
  # group in Azure. ASG ids follow from names, so they are known at plan
  # time, as for_each keys need.
  azure_nodes = ["server", "sql", "dmz"]
  asg         = "/subscriptions/${var.subscription_id}/resourceGroups/${var.resource_group_name}/providers/Microsoft.Network/applicationSecurityGroups"
}

data "portmap_azure_nsg_rules" "this" {
  # Only the rules of the NSGs this configuration manages.
  for_nodes = local.azure_nodes
  nodes = {
    server = {
      components = ["1e-platform/server"]
      cidrs      = ["10.10.1.4"]
      ref        = "${local.asg}/asg-1e-server"
    }
    sql = {
      components = ["1e-platform/sql-server"]
      cidrs      = ["10.10.2.4"]
      ref        = "${local.asg}/asg-1e-sql"
    }
    dmz = {
      components = ["1e-platform/dmz-server"]
      cidrs      = ["10.10.9.4"]
      ref        = "${local.asg}/asg-1e-dmz"
      exposure   = "internet-facing"
    }
    clients = {
      components = ["1e-platform/client", "1e-platform/browser"]
      cidrs      = var.client_cidrs
      kind       = "group"
    }
    internet = {
      components = ["1e-platform/internet-client"]
      cidrs      = ["0.0.0.0/0"]
      kind       = "group"
      exposure   = "untrusted"
    }
    crl = {
      components = ["1e-platform/crl-distribution-point"]
      cidrs      = var.crl_cidrs
      kind       = "group"
      exposure   = "untrusted"
    }
    mail = {
      components = ["1e-platform/smtp-relay"]
      cidrs      = ["10.10.3.25"]
    }
    cloud = {
      components = ["1e-platform/cloud-services"]
      cidrs      = ["0.0.0.0/0"]
      kind       = "group"
      exposure   = "untrusted"
    }
  }
}

output "azure_nodes" {
  description = "The nodes that get a network security group and an application security group."
  value       = local.azure_nodes
}

output "rules" {
  description = "Rules of those network security groups, for azurerm_network_security_rule."
  value = {
    for k, r in data.portmap_azure_nsg_rules.this.rules : k => r
  }
}

# Priorities kept in state: unique per NSG and direction, and a rule keeps
# its priority for as long as it exists, so adding nodes never clashes with
# or moves an existing rule. 4000-4096 stay free for the deny-all rules.
resource "portmap_azure_nsg_priorities" "this" {
  rules = {
    for k, r in data.portmap_azure_nsg_rules.this.rules : k => { nsg = r.node, direction = r.direction }
  }
}

output "priorities" {
  description = "The priority of each rule of the rules output, by rule key."
  value       = portmap_azure_nsg_priorities.this.priorities
}
