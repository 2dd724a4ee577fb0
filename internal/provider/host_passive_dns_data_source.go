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
		"which answers the host's name resolved to and when, or which names resolved to the host. Records are sorted by id.",
	list:            "passive_dns",
	listDescription: "The passive DNS records of the host, sorted by `id`. Each object mirrors Graph's `passiveDnsRecord`.",
	what:            "the passive DNS records",
	title:           "Host Passive DNS",
	table:           passiveDNSRecordTable,
	read:            graph.PassiveDNS.List,
	reverse:         graph.PassiveDNSReverse.List,
	order:           func(a, b *graph.PassiveDNSRecord) int { return strings.Compare(a.ID, b.ID) },
}
