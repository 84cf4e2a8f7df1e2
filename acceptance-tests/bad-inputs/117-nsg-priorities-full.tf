# severity: error
# summary: No free priority in NSG "app" (Inbound)
# detail: cannot be placed. 4000–4096 stay free for your own rules
# line: for p in setproduct(range(61), range(64)) : "r${p[0]}-${p[1]}" => { nsg = "app", direction = "Inbound" }

# 3,901 rules in one NSG and direction: one more than the 3,900 priorities
# (100-3999) the resource assigns.
resource "portmap_azure_nsg_priorities" "x" {
  rules = {
    for p in setproduct(range(61), range(64)) : "r${p[0]}-${p[1]}" => { nsg = "app", direction = "Inbound" }
    if p[0] * 64 + p[1] < 3901
  }
}
