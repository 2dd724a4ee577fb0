# The software Defender TI detected on a host, sorted by name and version.
data "defender_ti_host_components" "web" {
  host_id = "contoso.com"
}

output "components" {
  value = [for c in data.defender_ti_host_components.web.components : "${c.name} ${c.version}"]
}

output "remote_access" {
  value = [for c in data.defender_ti_host_components.web.components : c.name if c.category == "Remote Access"]
}
