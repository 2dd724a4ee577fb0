# Many hosts in one plan. The provider signs in once and shares the token and
# its connections between all reads, which run in parallel.
variable "internet_facing_hosts" {
  type    = set(string)
  default = ["contoso.com", "www.contoso.com", "203.0.113.10"]
}

data "defender_ti_host_ports" "edge" {
  for_each = var.internet_facing_hosts
  host_id  = each.value

  # Only what is reachable now matters here.
  filter = {
    status = ["open"]
  }
}

output "open_ports_by_host" {
  value = { for host, result in data.defender_ti_host_ports.edge : host => result.open_ports }
}
