# severity: error
# summary: Invalid function argument
# detail: node: node names use letters, digits

output "x" {
  value = provider::portmap::rule_key("a b", "ingress", "b", "tcp", 1, 1)
}
