terraform {
  required_providers {
    portmap = {
      source = "portmap/portmap"
    }
  }
}

# No configuration is needed: the built-in catalog is embedded in the provider.
provider "portmap" {}

# Optionally add products of your own, in the catalog file format.
# provider "portmap" {
#   extra_catalogs = [file("${path.module}/catalog/my-product.yaml")]
# }
