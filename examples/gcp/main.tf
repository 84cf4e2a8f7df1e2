# GCP example: the least-privilege VPC firewall rules of a Tarantella array
# and its application servers, computed by portmap (./portmap) and created
# with google_compute_firewall. Final rules deny all other egress (IPv4 and
# IPv6) of the tagged instances; ingress is denied by GCP's implied rule.
#
# The rules apply to the instances that carry their target network tags.
# Those instances are managed outside this configuration: give each the tags
# of its node in the instance_network_tags output (google_compute_instance's
# tags argument, or the instance template of a managed instance group).
# Instances without them get none of these rules, and an instance with a
# node's tags gets all of that node's rules.

terraform {
  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 4.49"
    }
  }
}

variable "project" {
  description = "The Google Cloud project."
  type        = string
}

variable "network" {
  description = "Name or self link of the VPC network."
  type        = string
  default     = "default"
}

provider "google" {
  project = var.project
}

module "portmap" {
  source = "./portmap"
}

resource "google_compute_firewall" "this" {
  for_each = module.portmap.rules

  name               = each.value.name
  network            = var.network
  direction          = each.value.direction
  priority           = each.value.priority
  source_ranges      = each.value.source_ranges
  destination_ranges = each.value.destination_ranges
  source_tags        = each.value.source_tags
  target_tags        = each.value.target_tags
  description        = each.value.description

  dynamic "allow" {
    for_each = each.value.allow
    content {
      protocol = allow.value.protocol
      ports    = allow.value.ports
    }
  }
}

# Deny all other egress of the tagged instances, IPv4 and IPv6 (a GCP rule
# holds one address family, and the clients are reached over both). The
# names start with the same name_prefix as portmap's rules. A rule without
# target tags would apply to every instance in the network, so the plan
# stops instead when there are none.
resource "google_compute_firewall" "deny_egress" {
  for_each = { v4 = "0.0.0.0/0", v6 = "::/0" }

  name               = "${module.portmap.name_prefix}-deny-all-egress-${each.key}"
  network            = var.network
  direction          = "EGRESS"
  priority           = 65000
  destination_ranges = [each.value]
  target_tags        = module.portmap.network_tags

  deny {
    protocol = "all"
  }

  lifecycle {
    precondition {
      condition     = length(module.portmap.network_tags) > 0
      error_message = "The deny-all egress rule needs network tags to target; without them it would deny the egress of every instance in the network."
    }
  }
}

output "instance_network_tags" {
  description = "The network tags the instances of each VPC node must carry (set outside this configuration, e.g. google_compute_instance.tags), by node."
  value       = module.portmap.instance_network_tags
}
