# List a host's ports with only what is needed to choose one, then read that
# port in full with its certificate expanded.
data "defender_ti_host_ports" "web" {
  host_id = "contoso.com"
  select  = ["id", "port"]
  filter  = { ports = [443] }
}

data "defender_ti_host_port" "https" {
  id                                 = one(data.defender_ti_host_ports.web.ports).id
  expand_most_recent_ssl_certificate = true
}

output "https_certificate" {
  value = {
    subject = data.defender_ti_host_port.https.most_recent_ssl_certificate.subject.common_name
    expires = data.defender_ti_host_port.https.most_recent_ssl_certificate.expiration_date_time
  }
}
