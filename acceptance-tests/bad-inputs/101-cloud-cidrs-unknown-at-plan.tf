# severity: warning
# summary: The addresses of node "clients" may change at apply: unknown at plan
# detail: fails with "Invalid for_each argument"

resource "terraform_data" "clients" {
  input = "10.2.0.0/16"
}

data "portmap_aws_security_group_rules" "x" {
  nodes = {
    oe      = { components = ["plossys/output-engine"], cidrs = ["10.1.0.10"] }
    clients = { components = ["plossys/client"], cidrs = [terraform_data.clients.output], kind = "group" }
  }
}
