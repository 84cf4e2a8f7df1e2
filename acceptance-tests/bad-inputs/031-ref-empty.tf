# severity: error
# summary: Empty ref
# detail: Leave ref out
# line: app = {

data "portmap_flows" "x" {
  nodes = {
    app = { components = ["plossys/output-engine"], ref = "" }
  }
}
