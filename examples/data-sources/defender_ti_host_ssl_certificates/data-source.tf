# The certificates Defender TI saw on a host, soonest to expire first, with
# the ports each was seen on.
data "defender_ti_host_ssl_certificates" "web" {
  host_id = "contoso.com"
}

output "certificates" {
  value = [
    for c in data.defender_ti_host_ssl_certificates.web.ssl_certificates : {
      subject = c.ssl_certificate.subject.common_name
      issuer  = c.ssl_certificate.issuer.common_name
      expires = c.ssl_certificate.expiration_date_time
      ports   = [for p in c.ports : p.port]
    }
  ]
}
