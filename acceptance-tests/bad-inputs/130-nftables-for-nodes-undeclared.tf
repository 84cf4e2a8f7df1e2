# severity: error
# summary: Unknown node "sq"
# detail: "sq" is not a key of nodes. Did you mean "sql"?
# line: for_nodes = ["sq"]

data "portmap_nftables_rulesets" "x" {
  nodes = {
    app = { components = ["tachyon-5/master-stack"], cidrs = ["10.0.1.10/32"] }
    sql = { components = ["tachyon-5/sql-server"], cidrs = ["10.0.2.10/32"] }
  }
  for_nodes = ["sq"]
}
