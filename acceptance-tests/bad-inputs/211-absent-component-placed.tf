# severity: warning
# summary: 1e-platform/smtp-relay is declared absent but is placed
# detail: yet it runs on "smtp" of this installation
# line: prod = {

data "portmap_flows" "x" {
  nodes = {
    master = { components = ["1e-platform/master-stack"], cidrs = ["10.40.1.10/32"] }
    smtp   = { components = ["1e-platform/smtp-relay"], cidrs = ["10.40.4.25/32"] }
  }
  installations = {
    prod = {
      product           = "1e-platform"
      nodes             = ["master", "smtp"]
      absent_components = ["1e-platform/smtp-relay", "1e-platform/cloud-services"]
    }
  }
}
