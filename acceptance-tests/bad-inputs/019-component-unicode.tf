# severity: error
# summary: Unknown component "plossys/output‑engine"
# detail: Did you mean "plossys/output-engine"?
# line: app = {

data "portmap_flows" "x" {
  nodes = {
    app = { components = ["plossys/output‑engine"] }
  }
}
