package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

var (
	_ datasource.DataSourceWithConfigure      = &fleetPortsDataSource{}
	_ datasource.DataSourceWithValidateConfig = &fleetPortsDataSource{}
)

// NewHostsPortsDataSource returns the defender_ti_hosts_ports data source.
func NewHostsPortsDataSource() datasource.DataSource {
	return &fleetPortsDataSource{}
}

// fleetPortsDataSource reads the ports of a fleet of hosts in one read.
type fleetPortsDataSource struct {
	graphDataSource
}

type fleetPortsDataSourceModel struct {
	HostIDs types.Set `tfsdk:"host_ids"`
	hostPortsOptionsModel
	Hosts           types.Map  `tfsdk:"hosts"`
	NotFoundHostIDs types.List `tfsdk:"not_found_host_ids"`
}

// Diagnostics name at most this many hosts, then say how many more.
const (
	listedFailures = 10
	listedNotFound = 5
)

var hostIDsType = tftypes.List{ElementType: tftypes.String}

func (d *fleetPortsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_ti_hosts_ports"
}

func (d *fleetPortsDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	validateCertificateSelected(ctx, req.Config, &resp.Diagnostics)
}

func (d *fleetPortsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config fleetPortsDataSourceModel
	client, ok := d.startRead(ctx, req.Config, &config, &resp.Diagnostics)
	if !ok {
		return
	}
	query, diags := newHostPortsQuery(ctx, &config.hostPortsOptionsModel)
	resp.Diagnostics.Append(diags...)
	var hostIDs []string
	resp.Diagnostics.Append(config.HostIDs.ElementsAs(ctx, &hostIDs, false)...)
	if resp.Diagnostics.HasError() {
		return
	}

	kinds := []*fleetKind{portsKind}
	fleet := readFleet(ctx, client, hostIDs, kinds, kinds, &query)
	if len(fleet.failures) > 0 {
		addFleetError(ctx, &resp.Diagnostics, fleetTarget(failedHosts(fleet.failures), len(hostIDs)), fleet.failures, false)
		return
	}
	if len(fleet.notFound) > 0 {
		resp.Diagnostics.AddWarning("Hosts Not Found In Defender TI", notFoundHostsDetail(fleet.notFound, len(hostIDs), "empty ports", "ports"))
	}
	raw, err := stateValue(req.Config.Raw, fleet.state())
	if err != nil {
		resp.Diagnostics.AddError("Unable To Build State", fmt.Sprintf("Converting the ports of %d hosts to state failed: %s. This is a bug in the provider.", len(hostIDs), err))
		return
	}
	resp.State.Raw = raw
}

// notFoundHostsDetail explains the warning for the hosts of a fleet read
// Defender TI has no record of: they have what (empty ports), and the user
// may have expected expected.
func notFoundHostsDetail(notFound []string, hosts int, what, expected string) string {
	named := quotedHosts(notFound, listedNotFound)
	return fmt.Sprintf("Microsoft Graph has no Defender Threat Intelligence record of %d of the %d hosts: %s. "+
		"They are in hosts with %s and listed in not_found_host_ids, so the configuration keeps working; "+
		"check those host ids if you expected %s.", len(notFound), hosts, named, what, expected)
}
