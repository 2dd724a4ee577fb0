# What a name resolved to, by record type, and which names resolved to it
# (reverse passive DNS).
data "defender_ti_host_passive_dns" "forward" {
  host_id = "contoso.com"
}

data "defender_ti_host_passive_dns" "reverse" {
  host_id = "contoso.com"
  reverse = true
}

output "resolutions" {
  value = { for r in data.defender_ti_host_passive_dns.forward.passive_dns : r.record_type => r.artifact.id... }
}

output "names_pointing_here" {
  value = [for r in data.defender_ti_host_passive_dns.reverse.passive_dns : "${r.parent_host.id} (${r.record_type})"]
}
