# severity: error
# summary: Invalid function argument
# detail: product: the built-in catalog has no product "tibco"

output "x" {
  value = provider::portmap::service_ports("tibco", "server")
}
