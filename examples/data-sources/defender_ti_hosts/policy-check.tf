# A fleet's whole exposure policy in one check block: denied ports,
# certificates and domains close to expiry, reputation and software
# versions, each finding one line of the message. A failed check warns and
# lets the plan go on. Provider functions need Terraform 1.8 or later, or
# OpenTofu 1.7 or later.
variable "fleet" {
  type    = set(string)
  default = ["contoso.com", "8.8.8.8", "198.51.100.10"]
}

variable "as_of" {
  type        = string
  default     = null
  description = "The time to check expiry against, in RFC 3339. The time of the plan when null."
}

# The fleet is read outside the check block because local.findings refers to
# it: a data source nested in a check block can be referred to only inside it.
data "defender_ti_hosts" "fleet" {
  host_ids = var.fleet
  include  = ["ports", "reputation", "ssl_certificates", "components", "whois"]
  filter   = { status = ["open"] }
}

locals {
  findings = provider::defender::exposure_findings(data.defender_ti_hosts.fleet.hosts, {
    as_of                = coalesce(var.as_of, plantimestamp())
    denied_ports         = [23, 445, 3389, "161/udp"]
    min_certificate_days = 30
    min_domain_days      = 60
    max_reputation       = "neutral"
    denied_components = [
      { name = "OpenSSH", versions = "< 8.0" },
      { name = "jQuery", versions = "< 3.5.0" },
    ]
  })
}

check "exposure_policy" {
  assert {
    condition     = length(local.findings) == 0
    error_message = join("\n", local.findings[*].message)
  }
}
