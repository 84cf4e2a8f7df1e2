# TIBCO Spotfire behind a reverse proxy in a DMZ (examples/spotfire-dmz):
# the inspection VPC's AWS Network Firewall carries the flows between
# zones, internet users to the proxy and the proxy to the servers; flows
# inside a zone stay with the nodes' own security groups.
locals {
  topology = yamldecode(file("${path.module}/../../spotfire-dmz/topology.yaml"))
}

data "portmap_aws_network_firewall_rules" "hub" {
  nodes    = local.topology.nodes
  products = local.topology.products
  zones    = local.topology.zones
}

resource "aws_networkfirewall_rule_group" "portmap" {
  name = "portmap-spotfire-dmz"
  type = "STATEFUL"
  # Capacity is fixed at creation: leave room to grow.
  capacity = max(100, 2 * data.portmap_aws_network_firewall_rules.hub.capacity)

  rule_group {
    rule_variables {
      # The nodes' addresses, for Suricata rule strings of your own (a
      # standard rule's header takes CIDRs, not variables).
      dynamic "ip_sets" {
        for_each = data.portmap_aws_network_firewall_rules.hub.rule_variables
        content {
          key = ip_sets.key
          ip_set {
            definition = ip_sets.value
          }
        }
      }
    }

    rules_source {
      dynamic "stateful_rule" {
        for_each = data.portmap_aws_network_firewall_rules.hub.rules
        content {
          action = stateful_rule.value.action
          header {
            protocol         = stateful_rule.value.protocol
            source           = stateful_rule.value.source
            source_port      = stateful_rule.value.source_port
            destination      = stateful_rule.value.destination
            destination_port = stateful_rule.value.destination_port
            direction        = stateful_rule.value.direction
          }
          rule_option {
            keyword  = "sid"
            settings = [tostring(stateful_rule.value.sid)]
          }
        }
      }
    }
  }
}
