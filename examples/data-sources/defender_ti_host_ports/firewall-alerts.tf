# Turn what Defender TI sees into firewall rule objects, and write an alert
# payload for ports outside the allow list, with built-in features only.
variable "allowed_ports" {
  type    = set(number)
  default = [80, 443]
}

data "defender_ti_host_ports" "perimeter" {
  host_id = "203.0.113.10"
  filter  = { status = ["open"], protocol = ["tcp"] }
}

locals {
  firewall_rules = [
    for port in data.defender_ti_host_ports.perimeter.open_ports : {
      name     = "observed-${port}"
      port     = port
      protocol = "tcp"
      action   = contains(var.allowed_ports, port) ? "allow" : "deny"
    }
  ]

  unexpected_ports = [for rule in local.firewall_rules : rule.port if rule.action == "deny"]

  alert_payload = jsonencode({
    host       = data.defender_ti_host_ports.perimeter.id
    severity   = length(local.unexpected_ports) > 0 ? "high" : "info"
    open_ports = data.defender_ti_host_ports.perimeter.open_ports
    unexpected = local.unexpected_ports
  })
}

output "firewall_rules" {
  value = local.firewall_rules
}

# Writes the payload next to the configuration for an alerting job to pick up.
resource "terraform_data" "alert_file" {
  triggers_replace = local.alert_payload

  provisioner "local-exec" {
    command     = "printf '%s' \"$PAYLOAD\" > alert.json"
    environment = { PAYLOAD = local.alert_payload }
  }
}
