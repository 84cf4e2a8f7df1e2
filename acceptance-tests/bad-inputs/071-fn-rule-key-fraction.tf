# severity: error
# summary: Invalid function argument
# detail: from_port: 4.5 is not a whole number.

output "x" {
  value = provider::portmap::rule_key("a", "ingress", "b", "tcp", 4.5, 5)
}
