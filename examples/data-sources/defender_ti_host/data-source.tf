# What Defender TI knows of a host itself. An IP address comes with its
# network: autonomous system, hosting provider, netblock and location.
data "defender_ti_host" "resolver" {
  host_id = "8.8.8.8"
}

output "kind" {
  value = data.defender_ti_host.resolver.kind
}

output "network" {
  value = {
    autonomous_system = data.defender_ti_host.resolver.autonomous_system.value
    organization      = data.defender_ti_host.resolver.autonomous_system.organization
    netblock          = data.defender_ti_host.resolver.netblock
    country_or_region = data.defender_ti_host.resolver.country_or_region
  }
}

output "last_seen" {
  value = data.defender_ti_host.resolver.last_seen_date_time
}
