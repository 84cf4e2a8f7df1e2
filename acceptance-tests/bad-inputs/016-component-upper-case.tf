# severity: error
# summary: Unknown product "PLOSSYS" in component "PLOSSYS/output-engine"
# detail: Did you mean "plossys"?
# line: app = {

data "portmap_flows" "x" {
  nodes = {
    app = { components = ["PLOSSYS/output-engine"] }
  }
}
