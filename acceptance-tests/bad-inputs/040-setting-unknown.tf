# severity: error
# summary: Unknown setting "switch_prot" for product tachyon-5
# detail: Did you mean "switch_port"?
# line: "tachyon-5" = {

data "portmap_flows" "x" {
  nodes = {
    app = { components = ["tachyon-5/server"], cidrs = ["10.0.0.1/32"] }
  }
  products = {
    "tachyon-5" = { settings = { switch_prot = 4100 } }
  }
}
