# severity: warning
# summary: spotfire: choose the spotfire database type
# detail: database-oracle, database-sqlserver, database-postgresql

data "portmap_flows" "x" {
  nodes = {
    s = { components = ["spotfire/server"] }
    db = { components = ["spotfire/database"] }
  }
}
