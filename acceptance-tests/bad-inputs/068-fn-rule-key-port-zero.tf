# severity: error
# summary: Invalid function argument
# detail: from_port: 0 is not a port number (1-65535).

output "x" {
  value = provider::portmap::rule_key("a", "ingress", "b", "tcp", 0, 1)
}
