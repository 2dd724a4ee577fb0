# One policy check over a whole fleet: no host exposes Telnet, SMB or RDP.
# A check block cannot hold a for_each data source, but it can read a fleet.
variable "fleet" {
  type    = set(string)
  default = ["contoso.com", "www.contoso.com", "203.0.113.10", "8.8.8.8"]
}

locals {
  forbidden_ports = [23, 445, 3389]
}

check "no_forbidden_ports" {
  data "defender_ti_hosts_ports" "fleet" {
    host_ids = var.fleet
    filter   = { status = ["open"], ports = local.forbidden_ports }
    select   = ["port", "status"]
  }

  assert {
    condition = alltrue([for host in data.defender_ti_hosts_ports.fleet.hosts : length(host.open_ports) == 0])
    error_message = format("Hosts exposing %s: %s.", join(", ", local.forbidden_ports), join("; ", [
      for id, host in data.defender_ti_hosts_ports.fleet.hosts : "${id} (${join(", ", host.open_ports)})"
      if length(host.open_ports) > 0
    ]))
  }
}
