# severity: error
# summary: Missing required argument
# detail: The argument "nodes" is required

data "portmap_flows" "x" {
}
