# Reads the open ports of a few hosts and summarises what they expose.
#
# With no tenant configured, `make demo` runs this against the bundled Graph
# emulator, whose data is sample data. To run it against a real tenant,
# export ARM_TENANT_ID, ARM_CLIENT_ID and ARM_CLIENT_SECRET for an app
# registration granted the Graph application permission
# ThreatIntelligence.Read.All, and set `hosts` to hosts you care about, for
# example with TF_VAR_hosts='["example.com", "203.0.113.7"]' make demo.

terraform {
  required_providers {
    defender = {
      source = "defender-ti/defender"
    }
  }
}

# Credentials and endpoints come from ARM_* environment variables.
provider "defender" {}

variable "hosts" {
  description = "The hosts whose ports to read."
  type        = set(string)
  default     = ["8.8.8.8", "contoso.com", "198.51.100.10", "empty.example.org"]
}

data "defender_ti_host_ports" "host" {
  for_each = var.hosts
  host_id  = each.value
}

locals {
  # Ports whose exposure to the internet usually needs a second look.
  risky_ports = toset([23, 445, 3389])
}

output "open_ports" {
  description = "The open ports of each host."
  value       = { for host, ports in data.defender_ti_host_ports.host : host => ports.open_ports }
}

output "risky_open_ports" {
  description = "Open ports that are commonly attacked (Telnet, SMB, RDP), per host."
  value = {
    for host, ports in data.defender_ti_host_ports.host :
    host => [for port in ports.open_ports : port if contains(local.risky_ports, port)]
    if length([for port in ports.open_ports : port if contains(local.risky_ports, port)]) > 0
  }
}

output "services" {
  description = "The software detected on each open port, as name/version strings."
  value = {
    for host, ports in data.defender_ti_host_ports.host : host => {
      for port in ports.ports : "${port.port}/${port.protocol}" => [
        # Graph may report a service without a component, or a component
        # without a name or version.
        for service in port.services : join(" ", compact([service.component.name, service.component.version]))
        if service.component != null
      ] if port.status == "open"
    }
  }
}
