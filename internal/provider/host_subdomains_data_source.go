package provider

import (
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

// NewHostSubdomainsDataSource returns the defender_ti_host_subdomains data source.
func NewHostSubdomainsDataSource() datasource.DataSource { return hostSubdomainsSpec.newDataSource() }

var hostSubdomainsSpec = &hostListSpec[graph.Subdomain]{
	typeSuffix: "_ti_host_subdomains",
	description: "Lists the subdomains Microsoft Defender Threat Intelligence has seen under a host " +
		"(`GET /security/threatIntelligence/hosts/{hostId}/subdomains` in Microsoft Graph), sorted by name.",
	list:            "subdomains",
	listDescription: "The subdomains seen under the host, sorted by `id` (the subdomain's name). Each object mirrors Graph's `subdomain`.",
	what:            "the subdomains",
	title:           "Host Subdomains",
	table:           subdomainTable,
	read:            graph.Subdomains.List,
	order:           func(a, b *graph.Subdomain) int { return strings.Compare(a.ID, b.ID) },
}
