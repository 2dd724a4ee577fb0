package graph

// The software Defender TI detected on a host:
// GET /security/threatIntelligence/hosts/{hostId}/components, and one by id
// at /hostComponents/{id}. HostComponent itself is in hostport.go, where a
// port's services hold it too.

// HostComponentProperties are the names $select accepts for a hostComponent.
var HostComponentProperties = []string{"id", "name", "version", "category", "firstSeenDateTime", "lastSeenDateTime"}

var hostComponentEntity = entityType{name: "hostComponent", properties: HostComponentProperties}

// HostComponents is a host's components; HostComponentByID is one by id.
var (
	HostComponents    = HostCollection[HostComponent]{Segment: "components", entity: hostComponentEntity}
	HostComponentByID = EntityByID[HostComponent]{Collection: "hostComponents", entity: hostComponentEntity}
)
