package provider

import (
	"context"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

// The schema of defender_ti_host_ports: inputs mirroring Graph's OData
// options and the filters it lacks, and outputs built from hostPort's schema
// in host_port_schema.go.

func (d *hostPortsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists what Microsoft Defender Threat Intelligence has observed on the ports of one host " +
			"(`GET /security/threatIntelligence/hosts/{hostId}/ports` in Microsoft Graph): each port's protocol, status, " +
			"first and last sightings, banners, detected services and most recent TLS certificate. " +
			"Ports are sorted by port number, then protocol, so plans stay stable whatever order Graph returns them in.",
		Attributes: hostPortsAttributes(),
	}
}

// hostPortsAttributes is the data source's schema; the state's attr types
// are derived from it.
func hostPortsAttributes() map[string]schema.Attribute {
	attributes := map[string]schema.Attribute{
		"host_id": hostIDAttribute(),
		"id": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "The host id, the same as `host_id`.",
		},
	}
	maps.Copy(attributes, hostPortsOptionAttributes())
	maps.Copy(attributes, hostPortsResultAttributes())
	return attributes
}

// hostPortsOptionAttributes are the options of reading a host's ports, the
// same for one host and for each host of a fleet.
func hostPortsOptionAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"top": schema.Int64Attribute{
			Optional: true,
			MarkdownDescription: "The most ports to return (Graph's `$top`). Paging stops as soon as this many are in hand. " +
				"Applied by Graph before `filter`.",
			Validators: []validator.Int64{int64validator.AtLeast(1)},
		},
		"skip": schema.Int64Attribute{
			Optional:            true,
			MarkdownDescription: "How many ports to skip from the start of Graph's list (Graph's `$skip`). Applied by Graph before `filter`.",
			Validators:          []validator.Int64{int64validator.AtLeast(0)},
		},
		"select": hostPortSelectAttribute("Attributes left out are null in `ports`, which keeps state small for hosts with many ports. " +
			"Attributes that `filter`, sorting and `open_ports` need are fetched anyway."),
		"expand_most_recent_ssl_certificate": expandCertificateAttribute(),
		"include_count": schema.BoolAttribute{
			Optional:            true,
			MarkdownDescription: "When `true`, `total_count` is filled from Graph's `@odata.count`. Defaults to `false`.",
		},
		"filter": schema.SingleNestedAttribute{
			Optional: true,
			MarkdownDescription: "Conditions the Graph API cannot evaluate itself, applied by the provider to the ports Graph returns " +
				"(after `top` and `skip`). A port must meet every condition that is set.",
			Attributes: filterAttributes(),
			CustomType: types.ObjectType{AttrTypes: attrTypesOf(filterAttributes())},
		},
	}
}

// hostPortsResultAttributes are what reading a host's ports yields, for one
// host at the top level and for each host of a fleet.
func hostPortsResultAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"ports": listNested("The ports observed on the host, after `filter`, sorted by `port` then `protocol`. "+
			"Each object mirrors Graph's `hostPort` field by field. Empty when Defender TI does not know the host.",
			hostPortTable.attributes()),
		"open_ports": schema.ListAttribute{
			Computed:            true,
			ElementType:         types.Int64Type,
			MarkdownDescription: "The distinct numbers of the ports in `ports` whose status is `open`, sorted ascending.",
		},
		"total_count": schema.Int64Attribute{
			Computed: true,
			MarkdownDescription: "How many ports Graph holds for the host, before `top`, `skip` and `filter`, when `include_count` is `true`; " +
				"null otherwise.",
		},
	}
}

func filterAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"status": schema.SetAttribute{
			Optional:            true,
			ElementType:         types.StringType,
			MarkdownDescription: "Keep ports whose status is one of these: `open`, `filtered`, `closed`, `unknownFutureValue`.",
			Validators: []validator.Set{setvalidator.ValueStringsAre(stringvalidator.OneOf(
				graph.StatusOpen, graph.StatusFiltered, graph.StatusClosed, graph.UnknownFutureValue))},
		},
		"protocol": schema.SetAttribute{
			Optional:            true,
			ElementType:         types.StringType,
			MarkdownDescription: "Keep ports whose protocol is one of these: `tcp`, `udp`, `unknownFutureValue`.",
			Validators: []validator.Set{setvalidator.ValueStringsAre(stringvalidator.OneOf(
				graph.ProtocolTCP, graph.ProtocolUDP, graph.UnknownFutureValue))},
		},
		"ports": schema.SetAttribute{
			Optional:            true,
			ElementType:         types.Int64Type,
			MarkdownDescription: "Keep these port numbers only (0 to 65535).",
			Validators:          []validator.Set{setvalidator.ValueInt64sAre(int64validator.Between(0, 65535))},
		},
		"last_seen_after": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Keep ports last seen strictly after this RFC 3339 timestamp, such as `2024-01-31T00:00:00Z`. " +
				"Ports without a last-seen time are dropped.",
			Validators: []validator.String{validRFC3339()},
		},
		"min_times_observed": schema.Int64Attribute{
			Optional:            true,
			MarkdownDescription: "Keep ports observed at least this many times. Ports without an observation count are dropped.",
			Validators:          []validator.Int64{int64validator.AtLeast(0)},
		},
	}
}
