# The findings of a policy over a fleet: open ports it denies, reputations
# worse than it allows and software versions it denies.
data "defender_ti_hosts" "fleet" {
  host_ids = ["contoso.com", "8.8.8.8", "198.51.100.10"]
  include  = ["ports", "reputation", "components"]
  filter   = { status = ["open"] }
}

output "findings" {
  value = provider::defender::exposure_findings(data.defender_ti_hosts.fleet.hosts, {
    denied_ports      = [3389, "161/udp"]
    max_reputation    = "suspicious"
    denied_components = [{ name = "OpenSSH", versions = "< 8.0" }]
  })
}
