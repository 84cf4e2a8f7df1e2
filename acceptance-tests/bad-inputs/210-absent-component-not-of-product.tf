# severity: error
# summary: "1e-platform/cloud-service" is not a component of 1e-platform
# detail: Did you mean "1e-platform/cloud-services"?
# line: "1e-platform" = {

data "portmap_flows" "x" {
  nodes = {
    master = { components = ["1e-platform/master-stack"], cidrs = ["10.40.1.10/32"] }
  }
  products = {
    "1e-platform" = { absent_components = ["1e-platform/cloud-service"] }
  }
}
