# severity: error
# summary: Unknown setting "switchport" for product tachyon-5
# detail: Did you mean "switch_port"?

data "portmap_catalog" "x" {
  settings = { "tachyon-5" = { switchport = 4100 } }
}
