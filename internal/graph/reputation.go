package graph

// A host's reputation: GET /security/threatIntelligence/hosts/{hostId}/reputation.

// HostReputationProperties are the names $select accepts for a hostReputation.
var HostReputationProperties = []string{"id", "classification", "score", "rules"}

// HostReputationOf reads a host's reputation.
var HostReputationOf = HostEntity[HostReputation]{
	Segment: "reputation",
	entity:  entityType{name: "hostReputation", properties: HostReputationProperties},
}

// Classifications of a hostReputation, from the best to the worst; the enum
// is evolvable, and newer values are kept verbatim.
const (
	ClassificationUnknown    = "unknown"
	ClassificationNeutral    = "neutral"
	ClassificationSuspicious = "suspicious"
	ClassificationMalicious  = "malicious"
)

// HostReputation mirrors microsoft.graph.security.hostReputation.
type HostReputation struct {
	ID             string               `json:"id"`
	Classification *string              `json:"classification"`
	Rules          []HostReputationRule `json:"rules"`
	Score          *int64               `json:"score"`
}

// HostReputationRule mirrors microsoft.graph.security.hostReputationRule.
type HostReputationRule struct {
	Description       *string `json:"description"`
	Name              *string `json:"name"`
	RelatedDetailsURL *string `json:"relatedDetailsUrl"`
	Severity          *string `json:"severity"`
}
