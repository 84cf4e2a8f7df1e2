# severity: error
# summary: Invalid function argument
# detail: component: "plossys/client" belongs to product "plossys", not "spotfire".

output "x" {
  value = provider::portmap::service_ports("spotfire", "plossys/client")
}
