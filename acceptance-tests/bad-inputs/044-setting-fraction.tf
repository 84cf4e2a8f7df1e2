# severity: error
# summary: Invalid value for setting "switch_port" of tachyon-5
# detail: "4100.5" is not a port number
# line: "tachyon-5" = {

data "portmap_flows" "x" {
  nodes = {
    app = { components = ["tachyon-5/server"], cidrs = ["10.0.0.1/32"] }
  }
  products = {
    "tachyon-5" = { settings = { switch_port = 4100.5 } }
  }
}
