# severity: error
# summary: Not enough function arguments

output "x" {
  value = provider::portmap::rule_key("a", "ingress")
}
