# severity: warning
# summary: No GCP ingress rule at "oe" for "admins": a network tag and a service account
# detail: a GCP firewall rule cannot mix the two
# line: admins = { components = ["plossys/admin"], kind = "group", ref = "print-admins" }

data "portmap_gcp_firewall_rules" "x" {
  nodes = {
    oe     = { components = ["plossys/output-engine"], cidrs = ["10.1.0.10"], ref = "oe@print-prod.iam.gserviceaccount.com" }
    admins = { components = ["plossys/admin"], kind = "group", ref = "print-admins" }
  }
}
