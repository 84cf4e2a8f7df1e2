# severity: error
# summary: Risk: cleartext protocol from "dmz" (internet-facing) to "master"
# detail: Finding key: cleartext:dmz>master.
# line: dmz    = {

data "portmap_flows" "x" {
  nodes = {
    master = { components = ["1e-platform/master-stack"], cidrs = ["10.40.1.10/32"] }
    dmz    = { components = ["1e-platform/dmz-server"], cidrs = ["192.0.2.10/32"], exposure = "internet-facing" }
  }
  fail_on_risk = true
}
