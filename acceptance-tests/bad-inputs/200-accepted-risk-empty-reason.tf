# severity: error
# summary: No reason given for accepting "cleartext:dmz>master"
# detail: An accepted risk needs the reason it is accepted
# line: "cleartext:dmz>master" = " "

data "portmap_flows" "x" {
  nodes = {
    master = { components = ["1e-platform/master-stack"], cidrs = ["10.40.1.10/32"] }
    dmz    = { components = ["1e-platform/dmz-server"], cidrs = ["192.0.2.10/32"], exposure = "internet-facing" }
  }
  accepted_risks = {
    "cleartext:dmz>master" = " "
  }
}
