# Moving from a for_each of several per-host data sources to one fleet read.
# Before, one data source per kind, each with a for_each over the hosts:
#
#   data "defender_ti_host_reputation" "dependency" {
#     for_each = var.dependencies
#     host_id  = each.value
#   }
#
#   data "defender_ti_host_ssl_certificates" "dependency" {
#     for_each = var.dependencies
#     host_id  = each.value
#   }
#
#   data "defender_ti_host_whois" "dependency" {
#     for_each = var.dependencies
#     host_id  = each.value
#   }
#
#   ... data.defender_ti_host_reputation.dependency[host].classification
#   ... data.defender_ti_host_ssl_certificates.dependency[host].ssl_certificates
#   ... data.defender_ti_host_whois.dependency[host].expiration_date_time
#
# After: one data source whose include names the kinds, and hosts keyed by
# host id, so data.defender_ti_host_<kind>.dependency[host].<attribute>
# becomes data.defender_ti_hosts.dependency.hosts[host].<kind>.<attribute>.
# A record Defender TI does not hold (a reputation, a WHOIS record) is a null
# object rather than null attributes, hence the try below. Lists keep their
# name, order and elements. Data sources keep no state between runs, so
# nothing needs moving in the state.
variable "dependencies" {
  type    = set(string)
  default = ["contoso.com", "8.8.8.8", "198.51.100.10"]
}

data "defender_ti_hosts" "dependency" {
  host_ids = var.dependencies
  include  = ["reputation", "ssl_certificates", "whois"]
}

output "classification" {
  value = { for host in var.dependencies : host => try(data.defender_ti_hosts.dependency.hosts[host].reputation.classification, null) }
}

output "certificate_expiry" {
  value = {
    for host in var.dependencies : host => {
      for c in data.defender_ti_hosts.dependency.hosts[host].ssl_certificates :
      c.ssl_certificate.subject.common_name => c.ssl_certificate.expiration_date_time
    }
  }
}

output "domain_expiry" {
  value = { for host in var.dependencies : host => try(data.defender_ti_hosts.dependency.hosts[host].whois.expiration_date_time, null) }
}
