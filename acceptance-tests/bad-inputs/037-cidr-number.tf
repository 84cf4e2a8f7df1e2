# severity: error
# summary: Invalid address "10"
# detail: At nodes["app"].cidrs[0]:
# line: app = {

data "portmap_flows" "x" {
  nodes = {
    app = { components = ["plossys/output-engine"], cidrs = [10] }
  }
}
