# severity: error
# summary: Invalid function argument
# detail: protocol: "icmp" is neither "tcp" nor "udp".

output "x" {
  value = provider::portmap::rule_key("a", "ingress", "b", "icmp", 1, 1)
}
