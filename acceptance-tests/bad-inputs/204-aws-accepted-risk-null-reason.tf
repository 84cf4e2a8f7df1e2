# severity: error
# summary: No reason given for accepting "cleartext:dmz>master"
# detail: An accepted risk needs the reason it is accepted

data "portmap_aws_security_group_rules" "x" {
  nodes = {
    master = { components = ["1e-platform/master-stack"], cidrs = ["10.40.1.10/32"] }
    dmz    = { components = ["1e-platform/dmz-server"], cidrs = ["192.0.2.10/32"], exposure = "internet-facing" }
  }
  fail_on_risk   = true
  accepted_risks = { "cleartext:dmz>master" = null }
}
