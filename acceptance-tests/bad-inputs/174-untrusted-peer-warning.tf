# severity: warning
# summary: Risk: internal node "sf" accepts connections from untrusted "users"
# detail: "users" is untrusted (its exposure), and these flows let it open connections into "sf":
# line: sf    = { components = ["spotfire/server"], cidrs = ["10.0.0.1"] }

data "portmap_flows" "x" {
  nodes = {
    users = { components = ["spotfire/client"], cidrs = ["203.0.113.0/24"], kind = "group", exposure = "untrusted" }
    sf    = { components = ["spotfire/server"], cidrs = ["10.0.0.1"] }
  }
}
