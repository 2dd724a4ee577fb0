package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/types"

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
	ID     types.String `tfsdk:"id"`
	HostID types.String `tfsdk:"host_id"`
	hostPortsOptionsModel
	Ports      types.List  `tfsdk:"ports"`
	OpenPorts  types.List  `tfsdk:"open_ports"`
	TotalCount types.Int64 `tfsdk:"total_count"`
}

func (d *hostPortsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_ti_host_ports"
}

// ValidateConfig catches combinations no single attribute validator can see.
func (d *hostPortsDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	validateCertificateSelected(ctx, req.Config, &resp.Diagnostics)
}

func (d *hostPortsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config hostPortsDataSourceModel
	client, ok := d.startRead(ctx, req.Config, &config, &resp.Diagnostics)
	if !ok {
		return
	}
	query, diags := newHostPortsQuery(ctx, &config.hostPortsOptionsModel)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	hostID := config.HostID.ValueString()
	list, err := client.ListHostPorts(ctx, hostID, query.options)
	switch {
	case graph.IsNotFound(err):
		resp.Diagnostics.AddWarning("Host Not Found In Defender TI", notFoundDetail(hostID, err))
		list = query.notFound()
	case err != nil:
		hostPortsTarget(hostID).addReadError(ctx, &resp.Diagnostics, err)
		return
	}
	computed := query.resultValues(list)
	computed["id"] = stringValue(hostID)
	raw, err := stateValue(req.Config.Raw, computed)
	if err != nil {
		resp.Diagnostics.AddError("Unable To Build State", fmt.Sprintf("Converting the ports of host %q to state failed: %s. This is a bug in the provider.", hostID, err))
		return
	}
	resp.State.Raw = raw
}
