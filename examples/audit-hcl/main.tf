# Auditing the rules Terraform already manages: each adapter below turns the
# attributes of one rule resource type into the `existing` list of
# data.portmap_audit. In a real configuration the adapters read the
# resources themselves; here locals with the same attributes stand in for
# them, so the example runs without cloud credentials:
#
#   local.aws_ingress   stands in for aws_vpc_security_group_ingress_rule.this
#   local.aws_egress    stands in for aws_vpc_security_group_egress_rule.this
#   local.azure_rules   stands in for azurerm_network_security_rule.this
#   local.gcp_firewalls stands in for google_compute_firewall.this
#
# (each a resource with for_each, so a map of objects keyed like it).

terraform {
  required_providers {
    portmap = {
      source = "portmap/portmap"
    }
  }
}

locals {
  # The quickstart: a 1E Tachyon 5.0 server, its SQL Server and the clients.
  nodes = {
    app     = { components = ["tachyon-5/master-stack", "tachyon-5/response-stack"], cidrs = ["10.0.1.10/32"] }
    sql     = { components = ["tachyon-5/sql-server"], cidrs = ["10.0.2.10/32"] }
    clients = { components = ["tachyon-5/client", "tachyon-5/browser"], cidrs = ["10.8.0.0/16"], kind = "group" }
  }
  products = {
    tachyon-5 = { settings = { switch_port = 4100 }, features = ["named-sql-instance"] }
  }

  # Which node each security group, NSG or network tag is.
  group_nodes = {
    "sg-0app"     = "app", "sg-0sql" = "sql", "sg-0clients" = "clients",
    "nsg-app"     = "app", "nsg-sql" = "sql",
    "tachyon-app" = "app", "tachyon-sql" = "sql",
  }

  # ---------------------------------------------------------------- AWS
  aws_ingress = {
    app_any     = { security_group_id = "sg-0app", ip_protocol = "tcp", from_port = 0, to_port = 65535, cidr_ipv4 = "0.0.0.0/0", cidr_ipv6 = null, referenced_security_group_id = null, prefix_list_id = null }
    app_ssh     = { security_group_id = "sg-0app", ip_protocol = "tcp", from_port = 22, to_port = 22, cidr_ipv4 = "10.0.0.0/8", cidr_ipv6 = null, referenced_security_group_id = null, prefix_list_id = null }
    app_rdp     = { security_group_id = "sg-0app", ip_protocol = "tcp", from_port = 3389, to_port = 3389, cidr_ipv4 = "10.0.0.0/8", cidr_ipv6 = null, referenced_security_group_id = null, prefix_list_id = null }
    sql_1433    = { security_group_id = "sg-0sql", ip_protocol = "tcp", from_port = 1433, to_port = 1433, cidr_ipv4 = "10.0.0.0/16", cidr_ipv6 = null, referenced_security_group_id = null, prefix_list_id = null }
    sql_browser = { security_group_id = "sg-0sql", ip_protocol = "udp", from_port = 1434, to_port = 1434, cidr_ipv4 = null, cidr_ipv6 = null, referenced_security_group_id = "sg-0app", prefix_list_id = null }
    sql_clients = { security_group_id = "sg-0sql", ip_protocol = "tcp", from_port = 1433, to_port = 1434, cidr_ipv4 = "10.8.0.0/16", cidr_ipv6 = null, referenced_security_group_id = null, prefix_list_id = null }
    sql_ping    = { security_group_id = "sg-0sql", ip_protocol = "icmp", from_port = -1, to_port = -1, cidr_ipv4 = "10.0.0.0/8", cidr_ipv6 = null, referenced_security_group_id = null, prefix_list_id = null }
  }
  aws_egress = {
    app_sql     = { security_group_id = "sg-0app", ip_protocol = "tcp", from_port = 1433, to_port = 1433, cidr_ipv4 = "10.0.2.0/24", cidr_ipv6 = null, referenced_security_group_id = null, prefix_list_id = null }
    app_browser = { security_group_id = "sg-0app", ip_protocol = "udp", from_port = 1434, to_port = 1434, cidr_ipv4 = null, cidr_ipv6 = null, referenced_security_group_id = "sg-0sql", prefix_list_id = null }
    clients_all = { security_group_id = "sg-0clients", ip_protocol = "-1", from_port = null, to_port = null, cidr_ipv4 = "0.0.0.0/0", cidr_ipv6 = null, referenced_security_group_id = null, prefix_list_id = null }
    clients_web = { security_group_id = "sg-0clients", ip_protocol = "tcp", from_port = 443, to_port = 443, cidr_ipv4 = null, cidr_ipv6 = null, referenced_security_group_id = "sg-0app", prefix_list_id = null }
  }

  # The adapter: one existing rule per resource, named by its address. A
  # rule naming a prefix list has no addresses portmap can see: left out.
  aws_existing = [
    for address, r in merge(
      { for k, r in local.aws_ingress : "aws_vpc_security_group_ingress_rule.this[\"${k}\"]" => merge(r, { direction = "ingress" }) },
      { for k, r in local.aws_egress : "aws_vpc_security_group_egress_rule.this[\"${k}\"]" => merge(r, { direction = "egress" }) },
      ) : {
      id        = address
      node      = local.group_nodes[r.security_group_id]
      direction = r.direction
      protocol  = contains(["-1", "all"], r.ip_protocol) ? "all" : lower(r.ip_protocol) == "icmpv6" ? "icmp" : lower(r.ip_protocol)
      from_port = contains(["tcp", "udp"], r.ip_protocol) ? r.from_port : null
      to_port   = contains(["tcp", "udp"], r.ip_protocol) ? r.to_port : null
      cidrs     = compact([r.cidr_ipv4, r.cidr_ipv6])
      peer      = r.referenced_security_group_id == null ? null : local.group_nodes[r.referenced_security_group_id]
    } if r.prefix_list_id == null
  ]

  # ---------------------------------------------------------------- Azure
  azure_rules = {
    app_in_any = {
      network_security_group_name = "nsg-app", direction = "Inbound", access = "Allow", protocol = "Tcp",
      destination_port_range      = "*", destination_port_ranges = null,
      source_address_prefix       = "*", source_address_prefixes = null,
      destination_address_prefix  = "*", destination_address_prefixes = null,
    }
    sql_in_db = {
      network_security_group_name = "nsg-sql", direction = "Inbound", access = "Allow", protocol = "Tcp",
      destination_port_range      = null, destination_port_ranges = ["1433", "1440-1450"],
      source_address_prefix       = null, source_address_prefixes = ["10.0.1.10/32", "10.0.1.11/32"],
      destination_address_prefix  = "*", destination_address_prefixes = null,
    }
    sql_in_lb = {
      network_security_group_name = "nsg-sql", direction = "Inbound", access = "Allow", protocol = "*",
      destination_port_range      = "*", destination_port_ranges = null,
      source_address_prefix       = "AzureLoadBalancer", source_address_prefixes = null,
      destination_address_prefix  = "*", destination_address_prefixes = null,
    }
    sql_deny = {
      network_security_group_name = "nsg-sql", direction = "Inbound", access = "Deny", protocol = "*",
      destination_port_range      = "*", destination_port_ranges = null,
      source_address_prefix       = "*", source_address_prefixes = null,
      destination_address_prefix  = "*", destination_address_prefixes = null,
    }
  }

  # The adapter: one existing rule per allow rule and port range. `*` is
  # every address; service tags (AzureLoadBalancer, VirtualNetwork, ...)
  # are no addresses portmap can see, so a rule naming only tags is left
  # out, and deny rules allow nothing.
  azure_existing = flatten([
    for k, r in local.azure_rules : [
      for range in coalescelist(compact(concat([r.destination_port_range], coalesce(r.destination_port_ranges, []))), ["*"]) : {
        id        = "azurerm_network_security_rule.this[\"${k}\"]${range == "*" ? "" : "/${range}"}"
        node      = local.group_nodes[r.network_security_group_name]
        direction = r.direction == "Inbound" ? "ingress" : "egress"
        protocol  = r.protocol == "*" ? "all" : lower(r.protocol)
        from_port = range == "*" ? 0 : tonumber(split("-", range)[0])
        to_port   = range == "*" ? 65535 : tonumber(reverse(split("-", range))[0])
        cidrs = flatten([
          for p in compact(concat(
            [r.direction == "Inbound" ? r.source_address_prefix : r.destination_address_prefix],
            coalesce(r.direction == "Inbound" ? r.source_address_prefixes : r.destination_address_prefixes, []),
          )) : p == "*" ? ["0.0.0.0/0", "::/0"] : can(cidrhost(p, 0)) ? [p] : []
        ])
      }
    ] if r.access == "Allow"
  ])

  # ---------------------------------------------------------------- GCP
  gcp_firewalls = {
    app_web = {
      direction     = "INGRESS", disabled = false, target_tags = ["tachyon-app"],
      source_ranges = ["10.8.0.0/16"], destination_ranges = null,
      allow         = [{ protocol = "tcp", ports = ["443", "4000-4100"] }, { protocol = "icmp", ports = [] }],
    }
    sql_any = {
      direction     = "INGRESS", disabled = false, target_tags = ["tachyon-sql"],
      source_ranges = ["10.0.0.0/8"], destination_ranges = null,
      allow         = [{ protocol = "all", ports = [] }],
    }
    old = {
      direction     = "INGRESS", disabled = true, target_tags = ["tachyon-sql"],
      source_ranges = ["0.0.0.0/0"], destination_ranges = null,
      allow         = [{ protocol = "tcp", ports = ["22"] }],
    }
  }

  # The adapter: one existing rule per target tag, allow block and port
  # range. Disabled firewalls allow nothing; an allow block without ports
  # allows every port of its protocol.
  gcp_existing = flatten([
    for k, f in local.gcp_firewalls : [
      for tag in f.target_tags : [
        for a in f.allow : [
          for range in(contains(["tcp", "udp"], a.protocol) ? coalescelist(a.ports, ["0-65535"]) : ["*"]) : {
            id        = "google_compute_firewall.this[\"${k}\"]/${tag}/${a.protocol}${range == "*" ? "" : "/${range}"}"
            node      = local.group_nodes[tag]
            direction = lower(f.direction)
            protocol  = a.protocol
            from_port = range == "*" ? null : tonumber(split("-", range)[0])
            to_port   = range == "*" ? null : tonumber(reverse(split("-", range))[0])
            cidrs     = f.direction == "INGRESS" ? f.source_ranges : f.destination_ranges
          }
        ]
      ]
    ] if !f.disabled
  ])
}

data "portmap_audit" "aws" {
  nodes    = local.nodes
  products = local.products
  existing = local.aws_existing
}

data "portmap_audit" "azure" {
  nodes    = local.nodes
  products = local.products
  existing = [for r in local.azure_existing : r if length(r.cidrs) > 0]
}

data "portmap_audit" "gcp" {
  nodes    = local.nodes
  products = local.products
  existing = local.gcp_existing
}

output "azure_existing" {
  value = local.azure_existing
}

output "gcp_existing" {
  value = local.gcp_existing
}

output "summaries" {
  value = {
    aws   = data.portmap_audit.aws.summary
    azure = data.portmap_audit.azure.summary
    gcp   = data.portmap_audit.gcp.summary
  }
}

output "to_delete_or_narrow" {
  value = {
    aws   = [for e in data.portmap_audit.aws.excess : e.id]
    azure = [for e in data.portmap_audit.azure.excess : e.id]
    gcp   = [for e in data.portmap_audit.gcp.excess : e.id]
  }
}
