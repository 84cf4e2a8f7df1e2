# A product of your own next to the built-in catalog.
terraform {
  required_providers {
    portmap = {
      source = "portmap/portmap"
    }
  }
}

provider "portmap" {
  extra_catalogs = [file("${path.module}/acme-crm.yaml")]
}

data "portmap_flows" "crm" {
  nodes = {
    app   = { components = ["acme-crm/app"], cidrs = ["10.5.1.0/28"], kind = "group" }
    db    = { components = ["acme-crm/db"], cidrs = ["10.5.2.10/32"] }
    users = { components = ["acme-crm/browser"], cidrs = ["10.8.0.0/16"], kind = "group" }
  }
}

output "rules" {
  value = sort(keys(data.portmap_flows.crm.rules))
}
