# The subdomains Defender TI has seen under a domain, and those first seen
# since a given time: new names worth a look.
variable "since" {
  type    = string
  default = "2026-01-01T00:00:00Z"
}

data "defender_ti_host_subdomains" "domain" {
  host_id = "contoso.com"
}

output "subdomains" {
  value = [for s in data.defender_ti_host_subdomains.domain.subdomains : s.id]
}

output "new_subdomains" {
  value = [
    for s in data.defender_ti_host_subdomains.domain.subdomains : s.id
    if try(timecmp(s.first_seen_date_time, var.since) >= 0, false)
  ]
}
