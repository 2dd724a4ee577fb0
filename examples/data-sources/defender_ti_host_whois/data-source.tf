# The WHOIS record of a domain: registrar, expiry and name servers.
data "defender_ti_host_whois" "domain" {
  host_id = "contoso.com"
}

output "registrar" {
  value = data.defender_ti_host_whois.domain.registrar.name
}

output "expires" {
  value = data.defender_ti_host_whois.domain.expiration_date_time
}

output "name_servers" {
  value = [for ns in data.defender_ti_host_whois.domain.nameservers : ns.host.id]
}
