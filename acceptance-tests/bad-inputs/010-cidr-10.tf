# severity: error
# summary: Invalid address "::ffff:10.0.0.1/200"
# detail: At nodes["app"].cidrs[1]: 
# line: app = {

data "portmap_flows" "x" {
  nodes = {
    app = { components = ["tachyon-5/server"], cidrs = ["10.0.0.0/24", "::ffff:10.0.0.1/200"] }
  }
}
