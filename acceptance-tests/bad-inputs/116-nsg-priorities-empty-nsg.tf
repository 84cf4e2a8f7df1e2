# severity: error
# summary: Empty NSG name
# detail: At rules["app:ingress:clients:tcp:443"].nsg:
# line: "app:ingress:clients:tcp:443" = { nsg = "", direction = "Inbound" }

resource "portmap_azure_nsg_priorities" "x" {
  rules = {
    "app:ingress:clients:tcp:443" = { nsg = "", direction = "Inbound" }
  }
}
