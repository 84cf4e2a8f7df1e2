# severity: error
# summary: Invalid value for setting "switch_port" of tachyon-5
# detail: 99999 is not a port number

data "portmap_catalog" "x" {
  settings = { "tachyon-5" = { switch_port = 99999 } }
}
