# Warn when a domain's registration expires within `renewal_days` of
# `as_of`: the time of the plan, unless the caller passes one, which makes
# the plan's outcome reproducible (-var=as_of=2026-12-06T00:00:00Z).
variable "domains" {
  type    = set(string)
  default = ["contoso.com"]
}

variable "as_of" {
  type        = string
  default     = null
  description = "The time to check expiry against, in RFC 3339. The time of the plan when null."
}

variable "renewal_days" {
  type    = number
  default = 60
}

data "defender_ti_host_whois" "domain" {
  for_each = var.domains
  host_id  = each.value
}

locals {
  as_of    = coalesce(var.as_of, plantimestamp())
  deadline = timeadd(local.as_of, "${var.renewal_days * 24}h")

  # A host Defender TI holds no WHOIS record for has a null expiry (and the
  # read warns): it is listed apart rather than judged.
  expiring_domains = {
    for domain, whois in data.defender_ti_host_whois.domain : domain => whois.expiration_date_time
    if whois.expiration_date_time == null ? false : timecmp(whois.expiration_date_time, local.deadline) < 0
  }
}

output "without_whois" {
  value = sort([for domain, whois in data.defender_ti_host_whois.domain : domain if whois.expiration_date_time == null])
}

check "domains_not_expiring" {
  assert {
    condition = length(local.expiring_domains) == 0
    error_message = format("Domains expiring within %d days of %s: %s.", var.renewal_days, local.as_of,
    join(", ", [for domain, expires in local.expiring_domains : "${domain} (${expires})"]))
  }
}
