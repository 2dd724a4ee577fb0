package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

// NewHostWhoisDataSource returns the defender_ti_host_whois data source.
func NewHostWhoisDataSource() datasource.DataSource { return hostWhoisSpec.newDataSource() }

var hostWhoisSpec = &hostEntitySpec[graph.WhoisRecord]{
	typeSuffix: "_ti_host_whois",
	description: "Reads the current WHOIS record Microsoft Defender Threat Intelligence holds for a host " +
		"(`GET /security/threatIntelligence/hosts/{hostId}/whois` in Microsoft Graph): registration and expiry dates, status, " +
		"the eight contacts, the name servers and the raw text. " +
		"When Defender TI holds no WHOIS record for the host, as for most IP addresses, every attribute but `host_id` is null and the read warns once.",
	what:     "the WHOIS record",
	title:    "Host WHOIS Record",
	table:    whoisTable,
	read:     graph.WhoisOf.Get,
	notFound: notFoundIsNull,
}
