package graph

// A host's passive DNS: GET /security/threatIntelligence/hosts/{hostId}/passiveDns,
// the answers Defender TI saw for the host's name, and /passiveDnsReverse,
// the names seen resolving to the host.

// PassiveDNSRecordProperties are the names $select accepts for a passiveDnsRecord.
var PassiveDNSRecordProperties = []string{
	"id", "collectedDateTime", "firstSeenDateTime", "lastSeenDateTime", "recordType", "artifact", "parentHost",
}

var passiveDNSRecordEntity = entityType{name: "passiveDnsRecord", properties: PassiveDNSRecordProperties}

// PassiveDNS and PassiveDNSReverse are a host's passive DNS records, forward
// and reverse.
var (
	PassiveDNS        = HostCollection[PassiveDNSRecord]{Segment: "passiveDns", entity: passiveDNSRecordEntity}
	PassiveDNSReverse = HostCollection[PassiveDNSRecord]{Segment: "passiveDnsReverse", entity: passiveDNSRecordEntity}
)

// PassiveDNSRecord mirrors microsoft.graph.security.passiveDnsRecord.
type PassiveDNSRecord struct {
	ID                string             `json:"id"`
	CollectedDateTime *Timestamp         `json:"collectedDateTime"`
	FirstSeenDateTime *Timestamp         `json:"firstSeenDateTime"`
	LastSeenDateTime  *Timestamp         `json:"lastSeenDateTime"`
	RecordType        *string            `json:"recordType"`
	Artifact          *ArtifactReference `json:"artifact"`
	ParentHost        *HostReference     `json:"parentHost"`
}

// ArtifactReference is the artifact a passive DNS record answered with: a
// host or another artifact, named by its id and @odata.type.
type ArtifactReference struct {
	ODataType string `json:"@odata.type"`
	ID        string `json:"id"`
}
