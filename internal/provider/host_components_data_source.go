package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

// NewHostComponentsDataSource returns the defender_ti_host_components data source.
func NewHostComponentsDataSource() datasource.DataSource { return hostComponentsSpec.newDataSource() }

var hostComponentsSpec = &hostListSpec[graph.HostComponent]{
	typeSuffix: "_ti_host_components",
	description: "Lists the software components Microsoft Defender Threat Intelligence detected on a host " +
		"(`GET /security/threatIntelligence/hosts/{hostId}/components` in Microsoft Graph): servers, operating systems, frameworks " +
		"and remote access tools, with their versions. Components are sorted by name, then version, then id.",
	list:            "components",
	listDescription: "The components detected on the host, sorted by `name`, then `version`, then `id`. Each object mirrors Graph's `hostComponent`.",
	what:            "the components",
	title:           "Host Components",
	table:           componentTable,
	read:            graph.HostComponents.List,
	paging:          true,
	selecting:       true,
	needed:          []string{"id", "name", "version"},
	order: func(a, b *graph.HostComponent) int {
		if c := compareOptional(a.Name, b.Name); c != 0 {
			return c
		}
		if c := compareOptional(a.Version, b.Version); c != 0 {
			return c
		}
		return compareOptional(a.ID, b.ID)
	},
}
