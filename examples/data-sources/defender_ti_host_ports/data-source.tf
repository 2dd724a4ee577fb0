# The open ports of one host, and everything Defender TI knows about each.
data "defender_ti_host_ports" "web" {
  host_id = "contoso.com"
}

output "open_ports" {
  value = data.defender_ti_host_ports.web.open_ports
}

output "last_seen" {
  value = { for p in data.defender_ti_host_ports.web.ports : "${p.port}/${p.protocol}" => p.last_seen_date_time }
}
