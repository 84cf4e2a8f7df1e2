# severity: warning
# summary: spotfire: database-oracle and database-postgresql are alternatives, and both are enabled
# detail: Spotfire database type (The database product of the Spotfire database) is an exclusive group
# line: spotfire = {

data "portmap_flows" "x" {
  nodes = {
    sf = { components = ["spotfire/server"], cidrs = ["10.0.0.1/32"] }
    db = { components = ["spotfire/database"], cidrs = ["10.0.0.3/32"] }
  }
  products = {
    spotfire = { features = ["database-postgresql", "database-oracle"] }
  }
}
