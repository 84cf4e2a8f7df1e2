# severity: error
# summary: Invalid value for setting "https_port" of tachyon-5
# detail: is not a port number
# line: "tachyon-5" = {

data "portmap_flows" "x" {
  nodes = {
    app = { components = ["tachyon-5/server"], cidrs = ["10.0.0.1/32"] }
  }
  products = {
    "tachyon-5" = { settings = { https_port = -443 } }
  }
}
