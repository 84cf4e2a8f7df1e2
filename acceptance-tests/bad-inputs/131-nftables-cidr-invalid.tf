# severity: error
# summary: Invalid address "10.0.2.300/32"
# detail: At nodes["sql"].cidrs[0]: 
# line: sql = {

data "portmap_nftables_rulesets" "x" {
  nodes = {
    app = { components = ["tachyon-5/master-stack"], cidrs = ["10.0.1.10/32"] }
    sql = { components = ["tachyon-5/sql-server"], cidrs = ["10.0.2.300/32"] }
  }
}
