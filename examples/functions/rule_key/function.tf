data "portmap_flows" "this" {
  nodes = {
    app     = { components = ["tachyon-5/server"], cidrs = ["10.0.1.10/32"] }
    clients = { components = ["tachyon-5/client"], cidrs = ["10.8.0.0/16"], kind = "group" }
  }
}

# Fails the plan if the Switch rule ever disappears from the computed rules.
check "switch_rule" {
  assert {
    condition     = contains(keys(data.portmap_flows.this.rules), provider::portmap::rule_key("app", "ingress", "clients", "tcp", 4000, 4000))
    error_message = "The clients can no longer reach the Tachyon Switch."
  }
}
