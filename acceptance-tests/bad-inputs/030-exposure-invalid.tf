# severity: error
# summary: Invalid exposure "public"
# detail: "internet-facing"
# line: app = {

data "portmap_flows" "x" {
  nodes = {
    app = { components = ["plossys/output-engine"], exposure = "public" }
  }
}
