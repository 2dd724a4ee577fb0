package graph

import "strings"

// The host itself: GET /security/threatIntelligence/hosts/{hostId}. Graph's
// host is abstract; the answer is a hostname or an ipAddress, told apart by
// its @odata.type.

// HostProperties are the names $select accepts for a host: the base type's
// and both subtypes'.
var HostProperties = []string{
	"id", "firstSeenDateTime", "lastSeenDateTime",
	"registrar", "registrant",
	"autonomousSystem", "countryOrRegion", "hostingProvider", "netblock",
}

// HostItself reads a host.
var HostItself = HostEntity[Host]{entity: entityType{name: "host", properties: HostProperties}}

// The kinds of host, from the last segment of @odata.type.
const (
	HostKindHostname  = "hostname"
	HostKindIPAddress = "ipAddress"
)

// Host mirrors microsoft.graph.security.host with the properties of both
// its subtypes: those of the other subtype stay nil.
type Host struct {
	ODataType         string     `json:"@odata.type"`
	ID                string     `json:"id"`
	FirstSeenDateTime *Timestamp `json:"firstSeenDateTime"`
	LastSeenDateTime  *Timestamp `json:"lastSeenDateTime"`
	// hostname
	Registrar  *string `json:"registrar"`
	Registrant *string `json:"registrant"`
	// ipAddress
	AutonomousSystem *AutonomousSystem `json:"autonomousSystem"`
	CountryOrRegion  *string           `json:"countryOrRegion"`
	HostingProvider  *string           `json:"hostingProvider"`
	Netblock         *string           `json:"netblock"`
}

// Kind is the host's subtype, "hostname" or "ipAddress" (or a newer one
// Graph adds, verbatim); "" when the answer carried no @odata.type.
func (h *Host) Kind() string {
	return h.ODataType[strings.LastIndex(h.ODataType, ".")+1:]
}

// AutonomousSystem mirrors microsoft.graph.security.autonomousSystem.
type AutonomousSystem struct {
	Name         *string `json:"name"`
	Number       *int64  `json:"number"`
	Organization *string `json:"organization"`
	Value        *string `json:"value"`
}
