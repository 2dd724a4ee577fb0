package provider

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

var (
	_ datasource.DataSourceWithConfigure      = &hostPortsDataSource{}
	_ datasource.DataSourceWithValidateConfig = &hostPortsDataSource{}
)

// NewHostPortsDataSource returns the defender_ti_host_ports data source.
func NewHostPortsDataSource() datasource.DataSource {
	return &hostPortsDataSource{}
}

type hostPortsDataSource struct {
	graphDataSource
}

type hostPortsDataSourceModel struct {
	ID                             types.String `tfsdk:"id"`
	HostID                         types.String `tfsdk:"host_id"`
	Top                            types.Int64  `tfsdk:"top"`
	Skip                           types.Int64  `tfsdk:"skip"`
	Select                         types.Set    `tfsdk:"select"`
	ExpandMostRecentSslCertificate types.Bool   `tfsdk:"expand_most_recent_ssl_certificate"`
	IncludeCount                   types.Bool   `tfsdk:"include_count"`
	Filter                         types.Object `tfsdk:"filter"`
	Ports                          types.List   `tfsdk:"ports"`
	OpenPorts                      types.List   `tfsdk:"open_ports"`
	TotalCount                     types.Int64  `tfsdk:"total_count"`
}

func (d *hostPortsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_ti_host_ports"
}

// ValidateConfig catches combinations no single attribute validator can see.
func (d *hostPortsDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var config hostPortsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	validateCertificateSelected(ctx, config.Select, config.ExpandMostRecentSslCertificate, &resp.Diagnostics)
}

func (d *hostPortsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config hostPortsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, ok := d.configuredClient(&resp.Diagnostics)
	if !ok {
		return
	}
	var filterModel *hostPortsFilterModel
	if !config.Filter.IsNull() {
		filterModel = &hostPortsFilterModel{}
		resp.Diagnostics.Append(config.Filter.As(ctx, filterModel, basetypes.ObjectAsOptions{})...)
	}
	filter, diags := newPortFilter(ctx, filterModel)
	resp.Diagnostics.Append(diags...)
	sel, options, diags := listOptions(ctx, &config, filter)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	hostID := config.HostID.ValueString()
	result, err := client.ListHostPorts(ctx, hostID, options)
	switch {
	case graph.IsNotFound(err):
		resp.Diagnostics.AddWarning("Host Not Found In Defender TI", notFoundDetail(hostID, err))
		result = &graph.HostPortList{}
		if options.Count {
			var zero int64
			result.Count = &zero
		}
	case err != nil:
		hostPortsTarget(hostID).addReadError(ctx, &resp.Diagnostics, err)
		return
	}

	ports := filter.apply(result.Ports)
	sortHostPorts(ports)
	raw, err := stateValue(req.Config.Raw, hostID, ports, sel, result.Count)
	if err != nil {
		resp.Diagnostics.AddError("Unable To Build State", fmt.Sprintf("Converting the ports of host %q to state failed: %s. This is a bug in the provider.", hostID, err))
		return
	}
	resp.State.Raw = raw
}

// stateValue is the data source's state: the configuration as it was given
// and the attributes Read computes. It is built as one Terraform value, not
// through State.Set, whose reflection over thousands of nested objects cost
// several times the rest of a read (see docs/guides/performance.md).
func stateValue(config tftypes.Value, hostID string, sortedPorts []graph.HostPort, sel selection, count *int64) (tftypes.Value, error) {
	var given map[string]tftypes.Value
	if err := config.As(&given); err != nil {
		return tftypes.Value{}, err
	}
	// As hands out the configuration's own map, which the framework reads
	// again after Read: the state gets a copy.
	attributes := maps.Clone(given)
	portValues := make([]tftypes.Value, len(sortedPorts))
	for i := range sortedPorts {
		portValues[i] = hostPortValue(&sortedPorts[i], sel)
	}
	attributes["id"] = stringValue(hostID)
	attributes["ports"] = tftypes.NewValue(hostPortsType, portValues)
	attributes["open_ports"] = openPortsValue(sortedPorts)
	attributes["total_count"] = nullNumber
	if count != nil {
		attributes["total_count"] = int64Value(*count)
	}
	return tftypes.NewValue(config.Type(), attributes), nil
}

// listOptions maps the configuration to Graph's OData options. A `select`
// is widened by what filtering, sorting and open_ports read; the selection
// returned remembers what the user asked for, so the rest is nulled.
func listOptions(ctx context.Context, config *hostPortsDataSourceModel, filter portFilter) (selection, graph.QueryOptions, diag.Diagnostics) {
	options := graph.QueryOptions{
		Top:    int(config.Top.ValueInt64()),
		Skip:   int(config.Skip.ValueInt64()),
		Count:  config.IncludeCount.ValueBool(),
		Expand: certificateExpansion(config.ExpandMostRecentSslCertificate),
	}
	needed := append([]string{"port", "protocol", "status"}, filter.graphProperties()...)
	sel, properties, diags := hostPortSelection(ctx, config.Select, needed)
	options.Select = properties
	return sel, options, diags
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
