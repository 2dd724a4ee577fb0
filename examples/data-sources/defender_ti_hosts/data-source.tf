# What Defender TI knows of a fleet, in one read. `include` names the kinds
# read for every host, each one request per host, so it names only what the
# configuration uses; the kinds left out are null.
variable "fleet" {
  type    = set(string)
  default = ["contoso.com", "8.8.8.8", "198.51.100.10"]
}

data "defender_ti_hosts" "fleet" {
  host_ids = var.fleet
  include  = ["ports", "reputation", "components"]

  # The ports options apply to the ports of every host.
  filter = { status = ["open"] }
  select = ["port", "protocol", "status"]
}

output "open_ports" {
  value = { for id, host in data.defender_ti_hosts.fleet.hosts : id => host.open_ports }
}

# A host without a reputation has a null reputation.
output "classification" {
  value = { for id, host in data.defender_ti_hosts.fleet.hosts : id => try(host.reputation.classification, null) }
}

output "components" {
  value = {
    for id, host in data.defender_ti_hosts.fleet.hosts :
    id => [for c in host.components : c.version == null || c.version == "" ? c.name : "${c.name} ${c.version}"]
  }
}

output "unknown_hosts" {
  value = data.defender_ti_hosts.fleet.not_found_host_ids
}
