# severity: error
# summary: Unknown product "plosys"
# detail: Did you mean "plossys"?
# line: product_ids = ["plosys"]

data "portmap_catalog" "x" {
  product_ids = ["plosys"]
}
