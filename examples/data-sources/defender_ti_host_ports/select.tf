# For a host with thousands of ports, fetch only what the configuration uses:
# unselected attributes are null, which keeps state and plans small.
data "defender_ti_host_ports" "large" {
  host_id       = "scan.example.net"
  select        = ["port", "protocol", "status", "last_seen_date_time"]
  include_count = true
  filter = {
    last_seen_after = "2024-01-01T00:00:00Z"
  }
}

output "recently_open" {
  value = data.defender_ti_host_ports.large.open_ports
}

output "ports_known_to_defender_ti" {
  value = data.defender_ti_host_ports.large.total_count
}
