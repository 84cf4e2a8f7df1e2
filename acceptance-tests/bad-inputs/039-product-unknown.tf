# severity: error
# summary: Unknown product "spotfyre"
# detail: Did you mean "spotfire"?
# line: spotfyre = {

data "portmap_flows" "x" {
  nodes = {
    app = { components = ["tachyon-5/server"], cidrs = ["10.0.0.1/32"] }
  }
  products = {
    spotfyre = { features = ["jmx"] }
  }
}
