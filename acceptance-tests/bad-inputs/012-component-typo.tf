# severity: error
# summary: Unknown component "tachyon-5/sever"
# detail: Did you mean "tachyon-5/server"?
# line: app = {

data "portmap_flows" "x" {
  nodes = {
    app = { components = ["tachyon-5/sever"] }
  }
}
