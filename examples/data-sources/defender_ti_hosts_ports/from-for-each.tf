# Moving from a for_each of defender_ti_host_ports to one fleet read. Before:
#
#   data "defender_ti_host_ports" "edge" {
#     for_each = var.internet_facing_hosts
#     host_id  = each.value
#     filter   = { status = ["open"] }
#   }
#
#   ... data.defender_ti_host_ports.edge[host].open_ports
#
# After: the same options once, and hosts keyed by host id, so expressions
# change from data.defender_ti_host_ports.edge[host] to
# data.defender_ti_hosts_ports.edge.hosts[host]. Data sources keep no state
# between runs, so nothing needs moving in the state.
variable "internet_facing_hosts" {
  type    = set(string)
  default = ["contoso.com", "www.contoso.com", "203.0.113.10"]
}

data "defender_ti_hosts_ports" "edge" {
  host_ids = var.internet_facing_hosts
  filter   = { status = ["open"] }
}

output "open_ports_by_host" {
  value = { for host in var.internet_facing_hosts : host => data.defender_ti_hosts_ports.edge.hosts[host].open_ports }
}
