# A host name comes with the registrar and registrant of its domain instead;
# the attributes of an IP address are null.
data "defender_ti_host" "domain" {
  host_id = "contoso.com"
}

output "registration" {
  value = {
    kind       = data.defender_ti_host.domain.kind
    registrar  = data.defender_ti_host.domain.registrar
    registrant = data.defender_ti_host.domain.registrant
    first_seen = data.defender_ti_host.domain.first_seen_date_time
  }
}
