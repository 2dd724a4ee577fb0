# An inventory of the software running across hosts: each component's name
# with the versions seen and the hosts it was seen on, and a check that
# flags components older than the oldest major version still supported.
variable "hosts" {
  type    = set(string)
  default = ["contoso.com", "8.8.8.8", "198.51.100.10"]
}

locals {
  # The oldest major version of each component still supported.
  minimum_major_versions = {
    "OpenSSH" = 8
    "jQuery"  = 3
  }
}

data "defender_ti_host_components" "inventory" {
  for_each = var.hosts
  host_id  = each.value
  select   = ["name", "version", "last_seen_date_time"]
}

locals {
  # One object per component and host. Graph may report a version as null
  # or "": both are "" here.
  components = flatten([
    for host, result in data.defender_ti_host_components.inventory : [
      for c in result.components : {
        host      = host
        name      = c.name
        version   = c.version == null ? "" : c.version
        last_seen = c.last_seen_date_time
      }
    ]
  ])

  retired = [
    for c in local.components : c
    if try(tonumber(regex("^[0-9]+", c.version)) < local.minimum_major_versions[c.name], false)
  ]
}

output "versions_by_component" {
  value = {
    for name, versions in { for c in local.components : c.name => c.version... } :
    name => sort(distinct([for v in versions : v if v != ""]))
  }
}

output "hosts_by_component" {
  value = {
    for name, hosts in { for c in local.components : c.name => c.host... } :
    name => sort(distinct(hosts))
  }
}

check "no_retired_components" {
  assert {
    condition = length(local.retired) == 0
    error_message = format("Retired components: %s.", join("; ", [
      for c in local.retired : "${c.name} ${c.version} on ${c.host} (last seen ${c.last_seen})"
    ]))
  }
}
