# severity: error
# summary: Invalid application security group id "sg-0aaa1111"
# detail: resourceGroups/<resource group>/providers/Microsoft.Network/applicationSecurityGroups/<name>
# line: admins = {

data "portmap_azure_nsg_rules" "x" {
  nodes = {
    oe     = { components = ["plossys/output-engine"], cidrs = ["10.1.0.10"] }
    admins = { components = ["plossys/admin"], cidrs = ["10.3.0.0/24"], kind = "group", ref = "sg-0aaa1111" }
  }
}
