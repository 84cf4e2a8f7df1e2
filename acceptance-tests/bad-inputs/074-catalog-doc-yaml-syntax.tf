# severity: error
# summary: Invalid catalog document
# detail: At line 

provider "portmap" {
  extra_catalogs = [<<-EOT
id: [broken
EOT
  ]
}
data "portmap_catalog" "x" {}
