# severity: error
# summary: Invalid component id "output-engine"
# detail: Did you mean "plossys/output-engine"?
# line: app = {

data "portmap_flows" "x" {
  nodes = {
    app = { components = ["output-engine"] }
  }
}
