# Fail the plan when a host exposes a port that should never face the
# internet, or runs a service version known to be vulnerable.
locals {
  forbidden_ports = {
    23   = "Telnet"
    445  = "SMB"
    3389 = "RDP"
  }
  # Component names and versions with published critical vulnerabilities.
  known_bad_versions = {
    "OpenSSH" = ["8.5p1", "8.6p1", "8.7p1", "8.8p1", "8.9p1", "9.0p1", "9.1p1", "9.2p1", "9.3p1", "9.4p1", "9.5p1", "9.6p1", "9.7p1"]
    "nginx"   = ["1.18.0"]
  }
}

data "defender_ti_host_ports" "policy" {
  host_id = "contoso.com"
  filter  = { status = ["open"] }
}

# A check block reports problems as warnings without stopping the run...
check "no_forbidden_ports" {
  assert {
    condition = length(setintersection(data.defender_ti_host_ports.policy.open_ports, keys(local.forbidden_ports))) == 0
    error_message = format("%s exposes %s.", data.defender_ti_host_ports.policy.id, join(", ", [
      for port in data.defender_ti_host_ports.policy.open_ports : "${port} (${local.forbidden_ports[port]})"
      if contains(keys(local.forbidden_ports), tostring(port))
    ]))
  }
}

# ...while a postcondition stops the plan.
data "defender_ti_host_ports" "strict" {
  host_id = "contoso.com"
  filter  = { status = ["open"] }

  lifecycle {
    postcondition {
      # try() counts a service as safe when Graph reports no component, name
      # or version for it; a version may also be "".
      condition = alltrue(flatten([
        for port in self.ports : [
          for service in port.services :
          !try(contains(local.known_bad_versions[service.component.name], service.component.version), false)
        ]
      ]))
      error_message = "A service on ${self.id} runs a version with known critical vulnerabilities."
    }
  }
}
