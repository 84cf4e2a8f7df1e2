# severity: warning
# summary: Risk: admin ports of "oe" open to the whole internet
# detail: Node "admins" is the service tag Internet
# line: admins = { components = ["plossys/admin"], kind = "group", ref = "Internet" }

data "portmap_azure_nsg_rules" "x" {
  nodes = {
    oe     = { components = ["plossys/output-engine"], cidrs = ["10.1.0.10"] }
    admins = { components = ["plossys/admin"], kind = "group", ref = "Internet" }
  }
}
