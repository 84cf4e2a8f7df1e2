# severity: error
# summary: Unknown product " plossys" in component " plossys/output-engine"
# line: app = {

data "portmap_flows" "x" {
  nodes = {
    app = { components = [" plossys/output-engine"] }
  }
}
