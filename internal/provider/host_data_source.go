package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

// NewHostDataSource returns the defender_ti_host data source.
func NewHostDataSource() datasource.DataSource { return hostSpec.newDataSource() }

var hostSpec = &hostEntitySpec[graph.Host]{
	typeSuffix: "_ti_host",
	description: "Reads what Microsoft Defender Threat Intelligence knows of a host itself " +
		"(`GET /security/threatIntelligence/hosts/{hostId}` in Microsoft Graph): when it was first and last seen, and " +
		"for a host name its registrar and registrant, for an IP address its autonomous system, country or region, hosting provider and netblock. " +
		"A host Defender TI does not know fails the read with an error on `host_id`, since the configuration asked for that host by name.",
	what:     "the record",
	title:    "Host",
	table:    hostTable,
	read:     graph.HostItself.Get,
	notFound: notFoundIsError,
}
