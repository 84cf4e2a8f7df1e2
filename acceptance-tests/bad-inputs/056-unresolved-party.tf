# severity: warning
# summary: plossys/client is not placed on any node
# detail: plossys:client-ipps (tcp 443)

data "portmap_flows" "x" {
  nodes = {
    app = { components = ["plossys/output-engine"] }
  }
}
