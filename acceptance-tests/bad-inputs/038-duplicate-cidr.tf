# severity: warning
# summary: Address 10.0.0.0/8 is listed twice
# detail: At nodes["app"].cidrs[1]
# line: app = {

data "portmap_flows" "x" {
  nodes = {
    app = { components = ["plossys/output-engine"], cidrs = ["10.0.0.0/8", "10.0.0.0/8"] }
  }
}
