# severity: error
# summary: Invalid catalog document
# detail: invalid type: sequence

provider "portmap" {
  extra_catalogs = [<<-EOT
[1, 2, 3]
EOT
  ]
}
data "portmap_catalog" "x" {}
