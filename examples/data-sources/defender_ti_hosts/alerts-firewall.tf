# Alerts and firewall inputs driven by the findings of an exposure policy,
# with for_each: one alert per host and kind of finding, one deny rule per
# host with a denied port open, one block rule per host whose reputation is
# worse than allowed. A fleet meeting the policy plans none of them.
variable "fleet" {
  type    = set(string)
  default = ["contoso.com", "203.0.113.10", "198.51.100.10"]
}

locals {
  denied_ports = [22, 23, 3389, 8443]
}

data "defender_ti_hosts" "perimeter" {
  host_ids = var.fleet
  include  = ["ports", "reputation"]
  filter   = { status = ["open"] }
  select   = ["port", "protocol", "status"]
}

locals {
  hosts = data.defender_ti_hosts.perimeter.hosts
  findings = provider::defender::exposure_findings(local.hosts, {
    denied_ports   = local.denied_ports
    max_reputation = "neutral"
  })

  # The findings grouped by host and kind, such as "contoso.com/port".
  findings_by_host_kind = { for f in local.findings : "${f.host_id}/${f.kind}" => f... }
}

# One alert per host and kind, for an alerting job to pick up.
resource "terraform_data" "alert" {
  for_each = local.findings_by_host_kind

  input = jsonencode({
    host     = each.value[0].host_id
    kind     = each.value[0].kind
    severity = each.value[0].kind == "reputation" ? "critical" : "high"
    messages = each.value[*].message
  })
}

# A finding names the host; the ports to deny are the host's open ports on
# the policy's list.
resource "terraform_data" "deny_ports" {
  for_each = toset([for f in local.findings : f.host_id if f.kind == "port"])

  input = {
    name        = "deny-${each.key}"
    destination = each.key
    ports       = [for p in local.hosts[each.key].ports : "${p.port}/${p.protocol}" if contains(local.denied_ports, p.port)]
    action      = "deny"
  }
}

resource "terraform_data" "block_host" {
  for_each = toset([for f in local.findings : f.host_id if f.kind == "reputation"])

  input = {
    name   = "block-${each.key}"
    source = each.key
    action = "deny"
  }
}

output "firewall_rules" {
  value = concat(values(terraform_data.deny_ports)[*].input, values(terraform_data.block_host)[*].input)
}
