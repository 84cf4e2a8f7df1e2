# severity: error
# summary: Setting gives an invalid port for 1e-platform flow core-dmz-poke
# detail: gives port 65536
# line: "1e-platform" = {

data "portmap_flows" "x" {
  nodes = {
    dmz = { components = ["1e-platform/dmz-server"] }
    rs = { components = ["1e-platform/response-stack"] }
  }
  products = {
    "1e-platform" = { settings = { dmz_switch_port = 65534, dmz_switch_count = 3 } }
  }
}
