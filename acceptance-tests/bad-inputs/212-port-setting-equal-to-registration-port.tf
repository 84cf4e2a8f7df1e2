# severity: warning
# summary: spotfire: http_port = 9080 is also the Server back-end registration port (`server_registration_port`)
# detail: At products["spotfire"].settings["http_port"]
# line: spotfire = {

data "portmap_flows" "x" {
  nodes = {
    sf    = { components = ["spotfire/server"], cidrs = ["10.0.0.1/32"] }
    db    = { components = ["spotfire/database"], cidrs = ["10.0.0.3/32"] }
    users = { components = ["spotfire/client"], cidrs = ["10.8.0.0/16"], kind = "group" }
  }
  products = {
    spotfire = {
      features = ["database-postgresql"]
      settings = { http_port = 9080 }
    }
  }
}
