# Refuse to plan against a dependency Defender TI classifies as suspicious or
# malicious. A host without a reputation (null attributes, and a warning)
# passes.
variable "host_id" {
  type    = string
  default = "8.8.8.8"
}

data "defender_ti_host_reputation" "dependency" {
  host_id = var.host_id

  lifecycle {
    postcondition {
      condition = !contains(["suspicious", "malicious"], coalesce(self.classification, "unknown"))
      # The message is evaluated even when the condition holds, so it must
      # not fail on the null attributes of a host without a reputation.
      error_message = format("Defender TI classifies %s as %s (score %s): %s.", self.host_id,
        coalesce(self.classification, "unknown"), coalesce(self.score, "none"),
      join("; ", [for rule in coalesce(self.rules, []) : rule.name if rule.name != null]))
    }
  }
}

output "classification" {
  value = data.defender_ti_host_reputation.dependency.classification
}
