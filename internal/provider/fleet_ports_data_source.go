package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
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

var (
	hostPortsResultType = terraformType(attrTypesOf(hostPortsResultAttributes()))
	hostsType           = tftypes.Map{ElementType: hostPortsResultType}
	hostIDsType         = tftypes.List{ElementType: tftypes.String}
)

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
	slices.Sort(hostIDs)

	results := client.ListPortsOfHosts(ctx, hostIDs, query.options)
	hosts := make(map[string]tftypes.Value, len(results))
	var notFound []string
	var failed []graph.HostPortsResult
	for _, result := range results {
		list := result.Value
		switch {
		case graph.IsNotFound(result.Err):
			notFound = append(notFound, result.HostID)
			list = query.notFound()
		case result.Err != nil:
			failed = append(failed, result)
			continue
		}
		hosts[result.HostID] = tftypes.NewValue(hostPortsResultType, query.resultValues(list))
	}
	if len(failed) > 0 {
		addFleetError(ctx, resp, len(hostIDs), failed)
		return
	}
	if len(notFound) > 0 {
		resp.Diagnostics.AddWarning("Hosts Not Found In Defender TI", notFoundHostsDetail(notFound, len(hostIDs)))
	}

	notFoundValues := make([]tftypes.Value, len(notFound))
	for i, hostID := range notFound {
		notFoundValues[i] = stringValue(hostID)
	}
	raw, err := stateValue(req.Config.Raw, map[string]tftypes.Value{
		"hosts":              tftypes.NewValue(hostsType, hosts),
		"not_found_host_ids": tftypes.NewValue(hostIDsType, notFoundValues),
	})
	if err != nil {
		resp.Diagnostics.AddError("Unable To Build State", fmt.Sprintf("Converting the ports of %d hosts to state failed: %s. This is a bug in the provider.", len(hostIDs), err))
		return
	}
	resp.State.Raw = raw
}

// addFleetError fails the read with one error for every host that failed:
// each with what Graph answered (status, error code, request-id), the first
// few of them, then how many more.
func addFleetError(ctx context.Context, resp *datasource.ReadResponse, hosts int, failed []graph.HostPortsResult) {
	target := fleetTarget(len(failed), hosts)
	first := failed[0].Err
	// A failure that is not the host's own, such as signing in or a
	// cancelled plan, is the same for every host: say it once.
	if ctx.Err() != nil || isSignInError(first) {
		target.addReadError(ctx, &resp.Diagnostics, first)
		return
	}
	// Throttling is the client's, shared by every host: once it outlasts
	// the throttle timeout every waiting host fails with the same error,
	// which is said once, with the hosts it left unread.
	if allThrottled(failed) {
		hostIDs := make([]string, len(failed))
		for i, result := range failed {
			hostIDs[i] = result.HostID
		}
		resp.Diagnostics.AddError(target.errorSummary(ctx, first), fmt.Sprintf(
			"Microsoft Graph kept throttling the requests for %s: %s.\nThe hosts not read: %s.\n%s",
			target.what, first, quotedHosts(hostIDs, listedFailures), throttleRemedy))
		return
	}
	var lines []string
	for _, result := range failed[:min(len(failed), listedFailures)] {
		lines = append(lines, fmt.Sprintf("- host %q: %s", result.HostID, result.Err))
	}
	if more := len(failed) - listedFailures; more > 0 {
		lines = append(lines, fmt.Sprintf("- and %d more.", more))
	}
	detail := fmt.Sprintf("Reading %s from Microsoft Graph failed:\n%s", target.what, strings.Join(lines, "\n"))
	switch {
	case graph.IsThrottled(first):
		detail += "\n" + throttleRemedy
	case graph.IsTimeout(first):
		detail += "\n" + timeoutRemedy
	}
	resp.Diagnostics.AddError(target.errorSummary(ctx, first), detail)
}

func allThrottled(failed []graph.HostPortsResult) bool {
	for _, result := range failed {
		if !graph.IsThrottled(result.Err) {
			return false
		}
	}
	return true
}

// quotedHosts names the first most of hostIDs, quoted, and how many more.
func quotedHosts(hostIDs []string, most int) string {
	quoted := make([]string, 0, most)
	for _, hostID := range hostIDs[:min(len(hostIDs), most)] {
		quoted = append(quoted, fmt.Sprintf("%q", hostID))
	}
	named := strings.Join(quoted, ", ")
	if more := len(hostIDs) - most; more > 0 {
		named += fmt.Sprintf(" and %d more", more)
	}
	return named
}

func notFoundHostsDetail(notFound []string, hosts int) string {
	named := quotedHosts(notFound, listedNotFound)
	return fmt.Sprintf("Microsoft Graph has no Defender Threat Intelligence record of %d of the %d hosts: %s. "+
		"They are in hosts with empty ports and listed in not_found_host_ids, so the configuration keeps working; "+
		"check those host ids if you expected ports.", len(notFound), hosts, named)
}
