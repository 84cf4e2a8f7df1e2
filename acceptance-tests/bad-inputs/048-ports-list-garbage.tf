# severity: error
# summary: Invalid value for setting "sql_instance_ports" of tachyon-5
# detail: takes a list such as
# line: "tachyon-5" = {

data "portmap_flows" "x" {
  nodes = {
    app = { components = ["tachyon-5/server"], cidrs = ["10.0.0.1/32"] }
  }
  products = {
    "tachyon-5" = { settings = { sql_instance_ports = "1433-1434-1435" } }
  }
}
