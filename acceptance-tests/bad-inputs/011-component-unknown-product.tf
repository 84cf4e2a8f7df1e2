# severity: error
# summary: Unknown product "tachyon5" in component "tachyon5/server"
# detail: Did you mean "tachyon-5"?
# line: app = {

data "portmap_flows" "x" {
  nodes = {
    app = { components = ["tachyon5/server"] }
  }
}
