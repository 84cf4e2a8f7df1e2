# TIBCO Spotfire behind a reverse proxy in a DMZ (examples/spotfire-dmz):
# the hub's Azure Firewall carries the flows between zones, internet users
# to the proxy and the proxy to the servers; flows inside a zone stay with
# the nodes' own NSGs.
locals {
  topology = yamldecode(file("${path.module}/../../spotfire-dmz/topology.yaml"))
}

data "portmap_azure_firewall_rules" "hub" {
  nodes          = local.topology.nodes
  products       = local.topology.products
  zones          = local.topology.zones
  priority_start = 1000
  # Internet users reach the proxy on HTTPS; the risk checks know it.
  accepted_risks = {}
}

variable "firewall_policy_id" {
  type        = string
  description = "The id of the hub's azurerm_firewall_policy."
}

resource "azurerm_firewall_policy_rule_collection_group" "portmap" {
  name               = "portmap"
  firewall_policy_id = var.firewall_policy_id
  priority           = 500

  dynamic "network_rule_collection" {
    for_each = data.portmap_azure_firewall_rules.hub.rule_collections
    content {
      name     = network_rule_collection.value.name
      priority = network_rule_collection.value.priority
      action   = network_rule_collection.value.action

      dynamic "rule" {
        for_each = network_rule_collection.value.rules
        content {
          name                  = rule.value.name
          description           = rule.value.description
          protocols             = rule.value.protocols
          source_addresses      = rule.value.source_addresses
          source_ip_groups      = rule.value.source_ip_groups
          destination_addresses = rule.value.destination_addresses
          destination_ip_groups = rule.value.destination_ip_groups
          destination_ports     = rule.value.destination_ports
        }
      }
    }
  }
}
