package provider

import (
	"strings"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

var passiveDNSRecordTable = newTable("passiveDnsRecord",
	textField("id", "The identifier Graph gives the record.", func(r *graph.PassiveDNSRecord) string { return r.ID }),
	timestampField("collectedDateTime", "When Defender TI collected the record.", func(r *graph.PassiveDNSRecord) *graph.Timestamp { return r.CollectedDateTime }),
	timestampField("firstSeenDateTime", "When Defender TI first saw the answer.", func(r *graph.PassiveDNSRecord) *graph.Timestamp { return r.FirstSeenDateTime }),
	timestampField("lastSeenDateTime", "When Defender TI last saw the answer.", func(r *graph.PassiveDNSRecord) *graph.Timestamp { return r.LastSeenDateTime }),
	stringField("recordType", "The DNS record type: `A`, `AAAA`, `CNAME`, `MX`, `NS`, `SOA`, `TXT` or another.",
		func(r *graph.PassiveDNSRecord) *string { return r.RecordType }),
	objectField("artifact", "What the name resolved to: a host or another artifact.", artifactTable,
		func(r *graph.PassiveDNSRecord) *graph.ArtifactReference { return r.Artifact }),
	objectField("parentHost", "The host the record belongs to. Graph returns only its identifier here.", hostReferenceTable,
		func(r *graph.PassiveDNSRecord) *graph.HostReference { return r.ParentHost }),
)

var artifactTable = newTable("artifact",
	textField("id", "The artifact's identifier, such as an IP address or a host name.", func(a *graph.ArtifactReference) string { return a.ID }),
	derivedField("kind", "@odata.type", "What the artifact is, such as `hostname` or `ip_address` (from Graph's `@odata.type`).", artifactKind),
)

func artifactKind(a *graph.ArtifactReference) string {
	return snakeCase(a.ODataType[strings.LastIndex(a.ODataType, ".")+1:])
}
