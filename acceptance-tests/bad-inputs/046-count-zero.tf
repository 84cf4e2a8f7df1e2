# severity: error
# summary: Invalid value for setting "dmz_switch_count" of 1e-platform
# detail: is not a whole number from 1 to 64
# line: "1e-platform" = {

data "portmap_flows" "x" {
  nodes = {
    dmz = { components = ["1e-platform/dmz-server"] }
  }
  products = {
    "1e-platform" = { settings = { dmz_switch_count = 0 } }
  }
}
