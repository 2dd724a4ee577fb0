# Flag TLS certificates that expire within 30 days of this plan.
data "defender_ti_host_ports" "tls" {
  host_id                            = "contoso.com"
  expand_most_recent_ssl_certificate = true
  filter                             = { status = ["open"] }
}

locals {
  expiring_certificates = {
    for port in data.defender_ti_host_ports.tls.ports :
    "${port.port}/${port.protocol}" => {
      subject = port.most_recent_ssl_certificate.subject.common_name
      expires = port.most_recent_ssl_certificate.expiration_date_time
    }
    if port.most_recent_ssl_certificate != null
    && try(timecmp(port.most_recent_ssl_certificate.expiration_date_time, timeadd(plantimestamp(), "720h")) < 0, false)
  }
}

check "certificates_not_expiring" {
  assert {
    condition     = length(local.expiring_certificates) == 0
    error_message = "Certificates expiring within 30 days: ${jsonencode(local.expiring_certificates)}"
  }
}
