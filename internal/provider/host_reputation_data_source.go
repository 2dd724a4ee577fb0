package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

// NewHostReputationDataSource returns the defender_ti_host_reputation data source.
func NewHostReputationDataSource() datasource.DataSource { return hostReputationSpec.newDataSource() }

var hostReputationSpec = &hostEntitySpec[graph.HostReputation]{
	typeSuffix: "_ti_host_reputation",
	description: "Reads Microsoft Defender Threat Intelligence's reputation of a host " +
		"(`GET /security/threatIntelligence/hosts/{hostId}/reputation` in Microsoft Graph): its classification, score and the rules behind them. " +
		"When Defender TI holds no reputation for the host, every attribute but `host_id` is null and the read warns once.",
	what:     "the reputation",
	title:    "Host Reputation",
	table:    reputationTable,
	read:     graph.HostReputationOf.Get,
	notFound: notFoundIsNull,
}
