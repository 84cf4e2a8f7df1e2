# The ports Spotfire Server listens on, at the catalog's default settings.
output "spotfire_server_ports" {
  value = [
    for p in provider::portmap::service_ports("spotfire", "spotfire/server") :
    "${p.protocol}/${p.from_port == p.to_port ? p.from_port : "${p.from_port}-${p.to_port}"} from ${p.from_component} (${p.purpose})"
  ]
}
