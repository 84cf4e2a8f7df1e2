# severity: error
# summary: Unknown node "sap1"
# detail: "sap1" is not a key of nodes. Did you mean "sap"?
# line: for_nodes = ["sap1"]

data "portmap_aws_security_group_rules" "x" {
  nodes = {
    oe  = { components = ["plossys/output-engine"], cidrs = ["10.1.0.10"] }
    sap = { components = ["plossys/client"], cidrs = ["10.2.0.0/24"], kind = "group" }
  }
  for_nodes = ["sap1"]
}
