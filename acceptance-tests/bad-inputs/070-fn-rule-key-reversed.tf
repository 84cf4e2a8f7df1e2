# severity: error
# summary: Invalid function argument
# detail: to_port: 80 is below from_port 443.

output "x" {
  value = provider::portmap::rule_key("a", "ingress", "b", "tcp", 443, 80)
}
