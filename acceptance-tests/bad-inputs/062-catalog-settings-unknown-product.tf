# severity: error
# summary: Unknown product "tachyon5"
# detail: Did you mean "tachyon-5"?

data "portmap_catalog" "x" {
  settings = { "tachyon5" = { switch_port = 4100 } }
}
