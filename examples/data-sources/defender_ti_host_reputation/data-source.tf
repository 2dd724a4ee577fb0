# Defender TI's verdict on a host, and the rules behind it.
data "defender_ti_host_reputation" "web" {
  host_id = "contoso.com"
}

output "classification" {
  value = data.defender_ti_host_reputation.web.classification
}

output "score" {
  value = data.defender_ti_host_reputation.web.score
}

output "high_severity_rules" {
  value = [for rule in data.defender_ti_host_reputation.web.rules : rule.name if rule.severity == "high"]
}
