# Every flow of SEAL PLOSSYS, with the Consul ports of a cluster.
data "portmap_catalog" "plossys" {
  product_ids = ["plossys"]
}

output "plossys_consul" {
  value = [
    for f in data.portmap_catalog.plossys.flows : "${f.protocol}/${f.from_port} ${f.purpose} (${f.citation})"
    if strcontains(f.purpose, "Consul")
  ]
}

# The Tachyon Switch port moved to 4100: the client-to-Switch flow follows.
data "portmap_catalog" "tachyon" {
  product_ids = ["tachyon-5"]
  settings    = { "tachyon-5" = { switch_port = 4100 } }
}

output "switch_port" {
  value = one([for f in data.portmap_catalog.tachyon.flows : f.from_port if f.id == "client-switch"])
}
