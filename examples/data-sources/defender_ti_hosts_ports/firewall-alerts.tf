# Firewall rule objects and an alert payload per host, with for_each over the
# hosts of one fleet read: one resource per host, one read for all of them.
variable "fleet" {
  type    = set(string)
  default = ["contoso.com", "203.0.113.10"]
}

variable "allowed_ports" {
  type    = set(number)
  default = [80, 443]
}

data "defender_ti_hosts_ports" "perimeter" {
  host_ids = var.fleet
  filter   = { status = ["open"], protocol = ["tcp"] }
  select   = ["port", "protocol", "status"]
}

locals {
  unexpected_ports = {
    for host, result in data.defender_ti_hosts_ports.perimeter.hosts :
    host => [for port in result.open_ports : port if !contains(var.allowed_ports, port)]
  }
}

output "deny_rules" {
  value = flatten([
    for host, ports in local.unexpected_ports : [
      for port in ports : { name = "deny-${host}-${port}", host = host, port = port, protocol = "tcp" }
    ]
  ])
}

# One alert per host with unexpected open ports, for an alerting job to pick up.
resource "terraform_data" "alert" {
  for_each = { for host, ports in local.unexpected_ports : host => ports if length(ports) > 0 }

  input = jsonencode({ host = each.key, severity = "high", unexpected = each.value })
}
