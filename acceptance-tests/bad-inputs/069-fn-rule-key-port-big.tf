# severity: error
# summary: Invalid function argument
# detail: to_port: 65536 is not a port number (1-65535).

output "x" {
  value = provider::portmap::rule_key("a", "ingress", "b", "tcp", 1, 65536)
}
