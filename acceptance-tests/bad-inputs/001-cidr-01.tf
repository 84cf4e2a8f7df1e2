# severity: error
# summary: Invalid address "10.0.0.300/24"
# detail: At nodes["app"].cidrs[1]: 
# line: app = {

data "portmap_flows" "x" {
  nodes = {
    app = { components = ["tachyon-5/server"], cidrs = ["10.0.0.0/24", "10.0.0.300/24"] }
  }
}
