# The open ports of a whole fleet in one read: hosts are read concurrently,
# each host's pages in order, and a host Defender TI does not know comes back
# empty and is listed once.
variable "fleet" {
  type    = set(string)
  default = ["contoso.com", "www.contoso.com", "203.0.113.10", "8.8.8.8"]
}

data "defender_ti_hosts_ports" "fleet" {
  host_ids = var.fleet
  filter   = { status = ["open"] }
  select   = ["port", "protocol", "status", "last_seen_date_time"]
}

output "open_ports_by_host" {
  value = { for host, result in data.defender_ti_hosts_ports.fleet.hosts : host => result.open_ports }
}

output "unknown_hosts" {
  value = data.defender_ti_hosts_ports.fleet.not_found_host_ids
}
