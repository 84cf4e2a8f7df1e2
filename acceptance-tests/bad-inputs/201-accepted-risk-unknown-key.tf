# severity: warning
# summary: Accepted risk "cleartext:dmz>mastr" matches no finding and no flow
# detail: Did you mean "cleartext:dmz>master"?
# line: "cleartext:dmz>mastr" = "typo"

data "portmap_flows" "x" {
  nodes = {
    master = { components = ["1e-platform/master-stack"], cidrs = ["10.40.1.10/32"] }
    dmz    = { components = ["1e-platform/dmz-server"], cidrs = ["192.0.2.10/32"], exposure = "internet-facing" }
  }
  accepted_risks = {
    "cleartext:dmz>mastr" = "typo"
  }
}
