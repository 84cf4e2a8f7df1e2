# severity: error
# summary: Invalid direction "inbound"
# detail: Did you mean "Inbound"?
# line: "app:ingress:clients:tcp:443" = {

resource "portmap_azure_nsg_priorities" "x" {
  rules = {
    "app:ingress:clients:tcp:443" = {
      nsg       = "app"
      direction = "inbound"
    }
  }
}
