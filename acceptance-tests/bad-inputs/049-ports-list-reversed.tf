# severity: error
# summary: Invalid value for setting "sql_instance_ports" of tachyon-5
# detail: Range "5000-10" ends before it starts
# line: "tachyon-5" = {

data "portmap_flows" "x" {
  nodes = {
    app = { components = ["tachyon-5/server"], cidrs = ["10.0.0.1/32"] }
  }
  products = {
    "tachyon-5" = { settings = { sql_instance_ports = "5000-10" } }
  }
}
