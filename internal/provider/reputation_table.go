package provider

import "github.com/defender-ti/terraform-provider-defender/internal/graph"

var reputationTable = newTable("hostReputation",
	textField("id", "The identifier Graph gives the reputation.", func(r *graph.HostReputation) string { return r.ID }),
	stringField("classification", "Defender TI's verdict on the host: `unknown`, `neutral`, `suspicious`, `malicious`, "+
		"or a newer value Graph adds, passed through as it is.", func(r *graph.HostReputation) *string { return r.Classification }),
	int64Field("score", "The reputation score, from 0 (no sign of harm) to 100 (malicious).", func(r *graph.HostReputation) *int64 { return r.Score }),
	objectListField("rules", "The rules that led to the classification. Empty when Graph reports none.", reputationRuleTable,
		func(r *graph.HostReputation) []graph.HostReputationRule { return r.Rules }),
)

var reputationRuleTable = newTable("hostReputationRule",
	stringField("name", "The rule's name.", func(r *graph.HostReputationRule) *string { return r.Name }),
	stringField("description", "What the rule found.", func(r *graph.HostReputationRule) *string { return r.Description }),
	stringField("severity", "The rule's severity: `unknown`, `low`, `medium`, `high`, or a newer value Graph adds, passed through as it is.",
		func(r *graph.HostReputationRule) *string { return r.Severity }),
	stringField("relatedDetailsUrl", "A link to more details on what the rule found.", func(r *graph.HostReputationRule) *string { return r.RelatedDetailsURL }),
)
