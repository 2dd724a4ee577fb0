package provider

import (
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

// NewHostPassiveDNSDataSource returns the defender_ti_host_passive_dns data source.
func NewHostPassiveDNSDataSource() datasource.DataSource { return hostPassiveDNSSpec.newDataSource() }

var hostPassiveDNSSpec = &hostListSpec[graph.PassiveDNSRecord]{
	typeSuffix: "_ti_host_passive_dns",
	description: "Lists the passive DNS records Microsoft Defender Threat Intelligence holds for a host " +
		"(`GET /security/threatIntelligence/hosts/{hostId}/passiveDns` in Microsoft Graph, or `/passiveDnsReverse` with `reverse`): " +
		"which answers the host's name resolved to and when, or which names resolved to the host. Records are sorted by record type, then artifact, then id.",
	list:            "passive_dns",
	listDescription: "The passive DNS records of the host, sorted by `record_type`, then `artifact.id`, then `id`. Each object mirrors Graph's `passiveDnsRecord`.",
	what:            "the passive DNS records",
	title:           "Host Passive DNS",
	table:           passiveDNSRecordTable,
	read:            graph.PassiveDNS.List,
	reverse:         graph.PassiveDNSReverse.List,
	order: func(a, b *graph.PassiveDNSRecord) int {
		if c := compareOptional(a.RecordType, b.RecordType); c != 0 {
			return c
		}
		if c := strings.Compare(artifactID(a), artifactID(b)); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	},
}

func artifactID(r *graph.PassiveDNSRecord) string {
	if r.Artifact == nil {
		return ""
	}
	return r.Artifact.ID
}
