# severity: warning
# summary: No flow crosses a zone boundary
# detail: The perimeter shapes carry only flows between nodes of different zones

data "portmap_perimeter_rules" "x" {
  nodes = {
    users = { components = ["spotfire/client"], cidrs = ["10.7.0.0/16"], kind = "group" }
    sf    = { components = ["spotfire/server"], cidrs = ["10.0.0.1"] }
  }
}
