# Warn when a certificate seen on a host expires within `warning_days` of
# `as_of`: the time of the plan, unless the caller passes one, which makes
# the plan's outcome reproducible (-var=as_of=2026-12-06T00:00:00Z).
variable "host_id" {
  type    = string
  default = "contoso.com"
}

variable "as_of" {
  type        = string
  default     = null
  description = "The time to check expiry against, in RFC 3339. The time of the plan when null."
}

variable "warning_days" {
  type    = number
  default = 30
}

data "defender_ti_host_ssl_certificates" "web" {
  host_id = var.host_id
  select  = ["ports", "ssl_certificate"]
}

locals {
  as_of    = coalesce(var.as_of, plantimestamp())
  deadline = timeadd(local.as_of, "${var.warning_days * 24}h")

  # A certificate without an expiry date cannot be judged, so it is left out.
  expiring_certificates = [
    for c in data.defender_ti_host_ssl_certificates.web.ssl_certificates :
    format("%s (expires %s, ports %s)", c.ssl_certificate.subject.common_name, c.ssl_certificate.expiration_date_time,
    join(", ", [for p in c.ports : p.port]))
    if try(timecmp(c.ssl_certificate.expiration_date_time, local.deadline) < 0, false)
  ]
}

check "certificates_not_expiring" {
  assert {
    condition = length(local.expiring_certificates) == 0
    error_message = format("Certificates on %s expiring within %d days of %s: %s.", var.host_id, var.warning_days, local.as_of,
    join("; ", local.expiring_certificates))
  }
}
