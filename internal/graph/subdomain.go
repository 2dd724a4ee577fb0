package graph

// A host's subdomains: GET /security/threatIntelligence/hosts/{hostId}/subdomains.

// SubdomainProperties are the names $select accepts for a subdomain.
var SubdomainProperties = []string{"id", "firstSeenDateTime"}

// Subdomains is a host's subdomains.
var Subdomains = HostCollection[Subdomain]{
	Segment: "subdomains",
	entity:  entityType{name: "subdomain", properties: SubdomainProperties},
}

// Subdomain mirrors microsoft.graph.security.subdomain; its id is the
// subdomain's name.
type Subdomain struct {
	ID                string     `json:"id"`
	FirstSeenDateTime *Timestamp `json:"firstSeenDateTime"`
}
