package provider

import (
	"context"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// maxFleetHosts bounds host_ids: a plan reading more hosts than this in one
// data source holds a state too large to review, and should be split.
const maxFleetHosts = 10000

func (d *fleetPortsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attributes := map[string]schema.Attribute{
		"host_ids": hostIDsAttribute(),
		"hosts": mapNested("What Defender TI observed on each host, keyed by host id: one entry for every element of `host_ids`. "+
			"A host Defender TI has no record of has empty `ports` and is also listed in `not_found_host_ids`.",
			hostPortsResultAttributes()),
		"not_found_host_ids": schema.ListAttribute{
			Computed:            true,
			ElementType:         types.StringType,
			MarkdownDescription: "The hosts of `host_ids` Defender TI has no record of, sorted. One warning names how many there are.",
		},
	}
	maps.Copy(attributes, hostPortsOptionAttributes())
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists what Microsoft Defender Threat Intelligence has observed on the ports of many hosts in one read " +
			"(`GET /security/threatIntelligence/hosts/{hostId}/ports` in Microsoft Graph, for each host), with the same options for every host. " +
			"The hosts are read concurrently, up to the provider's `max_concurrent_requests` requests in flight, each host's pages in order. " +
			"Each host's ports are the same objects, in the same order, as `defender_ti_host_ports` returns.",
		Attributes: attributes,
	}
}

// hostIDsAttribute is host_ids, the hosts of a fleet read.
func hostIDsAttribute() schema.SetAttribute {
	return schema.SetAttribute{
		Required:    true,
		ElementType: types.StringType,
		MarkdownDescription: "The hosts to read, at least one and at most 10,000: each an IPv4 address, an IPv6 address or a DNS host name, " +
			"checked as `host_id` of `defender_ti_host_ports` is, when the plan is made.",
		Validators: []validator.Set{
			setvalidator.SizeBetween(1, maxFleetHosts),
			setvalidator.ValueStringsAre(validHostID()),
		},
	}
}
