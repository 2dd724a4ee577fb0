package provider

import (
	"context"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

// hostPortsOptionsModel holds the options of reading a host's ports
// (hostPortsOptionAttributes), embedded in the model of each data source
// that takes them.
type hostPortsOptionsModel struct {
	Top                            types.Int64  `tfsdk:"top"`
	Skip                           types.Int64  `tfsdk:"skip"`
	Select                         types.Set    `tfsdk:"select"`
	ExpandMostRecentSslCertificate types.Bool   `tfsdk:"expand_most_recent_ssl_certificate"`
	IncludeCount                   types.Bool   `tfsdk:"include_count"`
	Filter                         types.Object `tfsdk:"filter"`
}

// hostPortsQuery is those options compiled once for every host they read:
// Graph's OData options, the provider's filter, and the selection that nulls
// what the user did not ask for.
type hostPortsQuery struct {
	options graph.QueryOptions
	filter  portFilter
	sel     selection
}

// newHostPortsQuery maps the options to Graph's. A `select` is widened by
// what filtering, sorting and open_ports read; the selection remembers what
// the user asked for, so the rest is nulled.
func newHostPortsQuery(ctx context.Context, model *hostPortsOptionsModel) (hostPortsQuery, diag.Diagnostics) {
	var diags diag.Diagnostics
	var filterModel *hostPortsFilterModel
	if !model.Filter.IsNull() {
		filterModel = &hostPortsFilterModel{}
		diags.Append(model.Filter.As(ctx, filterModel, basetypes.ObjectAsOptions{})...)
	}
	filter, filterDiags := newPortFilter(ctx, filterModel)
	diags.Append(filterDiags...)
	needed := append([]string{"port", "protocol", "status"}, filter.graphProperties()...)
	sel, properties, selectDiags := selectionOf(ctx, hostPortTable.properties(), model.Select, needed)
	diags.Append(selectDiags...)
	return hostPortsQuery{
		options: graph.QueryOptions{
			Top:    int(model.Top.ValueInt64()),
			Skip:   int(model.Skip.ValueInt64()),
			Select: properties,
			Expand: certificateExpansion(model.ExpandMostRecentSslCertificate),
			Count:  model.IncludeCount.ValueBool(),
		},
		filter: filter,
		sel:    sel,
	}, diags
}

// notFound is the listing of a host Defender TI has no record of: no ports,
// and a count of zero when one was asked for.
func (q hostPortsQuery) notFound() *graph.HostPortList {
	list := &graph.HostPortList{}
	if q.options.Count {
		var zero int64
		list.Count = &zero
	}
	return list
}

// resultValues are the values of hostPortsResultAttributes for what Graph
// listed: the ports after the filter, sorted, and the open ports and count.
func (q hostPortsQuery) resultValues(list *graph.HostPortList) map[string]tftypes.Value {
	ports := q.filter.apply(list.Items)
	sortHostPorts(ports)
	totalCount := nullNumber
	if list.Count != nil {
		totalCount = int64Value(*list.Count)
	}
	return map[string]tftypes.Value{
		"ports":       hostPortTable.listValue(ports, q.sel),
		"open_ports":  openPortsValue(ports),
		"total_count": totalCount,
	}
}

// sortHostPorts orders by port, then protocol, then id, so the state is the
// same whatever order Graph pages arrive in.
func sortHostPorts(ports []graph.HostPort) {
	slices.SortStableFunc(ports, func(a, b graph.HostPort) int {
		if a.Port != b.Port {
			return int(a.Port) - int(b.Port)
		}
		if c := strings.Compare(a.Protocol, b.Protocol); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}
