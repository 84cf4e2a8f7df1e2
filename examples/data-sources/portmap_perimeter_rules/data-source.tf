# TIBCO Spotfire behind a reverse proxy in a DMZ: the policies of the
# perimeter firewall between the internet, the DMZ and the internal network.
# Only flows crossing a zone appear; the servers' own firewalls come from
# portmap_flows or a cloud shape.
data "portmap_perimeter_rules" "hub" {
  zones = {
    internet = { exposure = "untrusted" }
    dmz      = { exposure = "internet-facing", accepts_from = ["internet"] }
    internal = { accepts_from = ["dmz"] }
  }
  nodes = {
    internet-users = { components = ["spotfire/client"], cidrs = ["0.0.0.0/0"], kind = "group", zone = "internet" }
    proxy = {
      components = ["spotfire/load-balancer"]
      cidrs      = ["192.0.2.20/32"]
      zone       = "dmz"
      fronts     = [{ component = "spotfire/server", listen_ports = "443" }]
    }
    sf-1     = { components = ["spotfire/server"], cidrs = ["10.60.1.11/32"], zone = "internal" }
    sf-2     = { components = ["spotfire/server"], cidrs = ["10.60.1.12/32"], zone = "internal" }
    db       = { components = ["spotfire/database"], cidrs = ["10.60.3.10/32"], zone = "internal" }
    analysts = { components = ["spotfire/client"], cidrs = ["10.70.0.0/16"], kind = "group", zone = "internal" }
  }
  products = {
    spotfire = { features = ["database-postgresql", "https-connector"], disabled_features = ["http-connector"] }
  }
}

# One line per policy, for the change request of the perimeter team.
output "policies" {
  value = [
    for p in data.portmap_perimeter_rules.hub.policies :
    "${p.name}: ${join(" ", p.sources)} (${p.from_zone}) -> ${join(" ", p.destinations)} (${p.to_zone}) on ${join(" ", p.services)}"
  ]
}

# Address and service objects, for a firewall's object database.
output "address_objects" {
  value = { for k, a in data.portmap_perimeter_rules.hub.address_objects : k => a.addresses }
}

output "service_objects" {
  value = data.portmap_perimeter_rules.hub.service_objects
}
