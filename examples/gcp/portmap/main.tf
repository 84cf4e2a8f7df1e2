# The portmap part of the GCP example: a Tarantella (Secure Global Desktop)
# array serving webtops over HTTPS and the Security Pack to clients on the
# internet, and starting applications on application servers over SSH and
# Windows Terminal Services. Each VPC node is targeted by its network tag.
# Its output is the for_each map of ../main.tf. It needs no cloud provider,
# so it plans on its own, offline.

terraform {
  required_providers {
    portmap = {
      source = "portmap/portmap"
    }
  }
}

variable "name_prefix" {
  description = "Start of the firewall rule names, unique per deployment in the project."
  type        = string
  default     = "sgd"
}

locals {
  # The nodes in the VPC network; their ref is their network tag.
  vpc_nodes = ["tarantella", "apps"]
}

data "portmap_gcp_firewall_rules" "this" {
  # Only the rules of the nodes in this VPC network.
  for_nodes = local.vpc_nodes
  nodes = {
    tarantella = {
      components = ["tarantella/server"]
      cidrs      = ["10.40.1.0/24"]
      kind       = "group"
      ref        = "tarantella"
      exposure   = "internet-facing"
    }
    apps = {
      components = ["tarantella/application-server"]
      cidrs      = ["10.40.2.0/24"]
      kind       = "group"
      ref        = "tarantella-apps"
    }
    clients = {
      components = ["tarantella/client"]
      cidrs      = ["0.0.0.0/0", "::/0"]
      kind       = "group"
      exposure   = "untrusted"
    }
  }
  products = {
    tarantella = {
      settings          = { array_members = 2 }
      features          = ["security-pack"]
      disabled_features = ["webtop-http", "standard-connections"]
    }
  }
  name_prefix = var.name_prefix
  priority    = 1000
}

output "name_prefix" {
  description = "The start of every rule name, for the rules the root adds."
  value       = var.name_prefix
}

output "network_tags" {
  description = "The network tags the rules target."
  value       = distinct(flatten([for r in values(data.portmap_gcp_firewall_rules.this.rules) : coalesce(r.target_tags, [])]))
}

output "instance_network_tags" {
  description = "The network tags each VPC node's instances must carry, by node: the tags its rules target."
  value = {
    for n in local.vpc_nodes : n => sort(distinct(flatten([
      for r in values(data.portmap_gcp_firewall_rules.this.rules) : coalesce(r.target_tags, []) if r.node == n
    ])))
  }
}

output "rules" {
  description = "Firewall rules of the VPC nodes, for google_compute_firewall."
  value = {
    for k, r in data.portmap_gcp_firewall_rules.this.rules : k => r
  }
}
