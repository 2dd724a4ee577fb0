# Components older than the minimum version of each, on a host. Versions
# compare number by number: 2.4.57 is after 2.4.9, which a string
# comparison gets wrong.
data "defender_ti_host_components" "web" {
  host_id = "contoso.com"
}

locals {
  minimum_versions = {
    "Apache HTTP Server" = "2.4.9"
    "OpenSSH"            = "8.0"
    "jQuery"             = "3.5.0"
    "nginx"              = "1.20"
  }

  # Components with a version and a minimum to compare it with.
  compared = [
    for c in data.defender_ti_host_components.web.components : c
    if contains(keys(local.minimum_versions), c.name) && c.version != null && c.version != ""
  ]
}

output "outdated" {
  value = [
    for c in local.compared : "${c.name} ${c.version}"
    if provider::defender::compare_versions(c.version, local.minimum_versions[c.name]) < 0
  ]
}

output "comparisons" {
  value = {
    "8.9p1 vs 8.9"       = provider::defender::compare_versions("8.9p1", "8.9")
    "3.0.0-rc1 vs 3.0.0" = provider::defender::compare_versions("3.0.0-rc1", "3.0.0")
    "10 vs 10.0"         = provider::defender::compare_versions("10", "10.0")
  }
}
