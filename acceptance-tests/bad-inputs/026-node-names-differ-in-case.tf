# severity: error
# summary: Node names "App" and "app" differ only in case
# detail: case-insensitive
# line: app = {

data "portmap_flows" "x" {
  nodes = {
    App = { components = ["plossys/output-engine"] }
    app = { components = ["plossys/client"] }
  }
}
