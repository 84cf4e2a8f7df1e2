# The host firewalls of a 1E Tachyon 5.0 single server and its remote SQL
# Server, as nftables scripts (the clients are a group node: their script is
# the firewall of each client).
data "portmap_nftables_rulesets" "this" {
  nodes = {
    app     = { components = ["tachyon-5/master-stack", "tachyon-5/response-stack"], cidrs = ["10.0.1.10/32", "2001:db8:1::10/128"] }
    sql     = { components = ["tachyon-5/sql-server"], cidrs = ["10.0.2.10/32"] }
    clients = { components = ["tachyon-5/client", "tachyon-5/browser"], cidrs = ["10.8.0.0/16"], kind = "group" }
  }
  products = {
    "tachyon-5" = { settings = { switch_port = 4100 } }
  }
  # Only the servers' scripts.
  for_nodes = ["app", "sql"]
}

# Load it at first boot: `nft -f /etc/nftables.d/portmap.nft`.
output "sql_cloud_init" {
  value = yamlencode({
    write_files = [{
      path    = "/etc/nftables.d/portmap.nft"
      content = data.portmap_nftables_rulesets.this.rulesets["sql"]
    }]
    runcmd = [["nft", "-f", "/etc/nftables.d/portmap.nft"]]
  })
}
