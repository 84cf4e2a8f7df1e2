# severity: error
# summary: Node "app" runs no components
# detail: list the product components that run on it
# line: app = {

data "portmap_flows" "x" {
  nodes = {
    app = { components = [] }
  }
}
