# severity: error
# summary: Unknown product "" in component "/client"
# detail: Known products: 1e-platform, plossys, spotfire, tachyon-5, tarantella.
# line: app = {

data "portmap_flows" "x" {
  nodes = {
    app = { components = ["/client"] }
  }
}
