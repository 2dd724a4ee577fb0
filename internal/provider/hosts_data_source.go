package provider

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ datasource.DataSourceWithConfigure      = &hostsDataSource{}
	_ datasource.DataSourceWithValidateConfig = &hostsDataSource{}
)

// NewHostsDataSource returns the defender_ti_hosts data source.
func NewHostsDataSource() datasource.DataSource {
	return &hostsDataSource{}
}

// hostsDataSource reads, for a fleet of hosts in one read, the kinds of
// what Defender TI knows about a host that `include` names.
type hostsDataSource struct {
	graphDataSource
}

type hostsDataSourceModel struct {
	HostIDs types.Set `tfsdk:"host_ids"`
	Include types.Set `tfsdk:"include"`
	hostPortsOptionsModel
	Hosts           types.Map  `tfsdk:"hosts"`
	NotFoundHostIDs types.List `tfsdk:"not_found_host_ids"`
}

func kindNames() []string {
	names := make([]string, len(fleetKinds))
	for i, kind := range fleetKinds {
		names[i] = kind.name
	}
	return names
}

func (d *hostsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_ti_hosts"
}

func (d *hostsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attributes := map[string]schema.Attribute{
		"host_ids": hostIDsAttribute(),
		"include": schema.SetAttribute{
			Required:    true,
			ElementType: types.StringType,
			MarkdownDescription: "What to read for every host, at least one of " + backtickList(kindNames()) + ". " +
				"Each is one request per host (per page for lists), so include only what the configuration uses.",
			Validators: []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(stringvalidator.OneOf(kindNames()...))},
		},
		"hosts": mapNested("What Defender TI knows of each host, keyed by host id: one entry for every element of `host_ids`, "+
			"with one attribute per kind `include` can name (`ports` brings `open_ports` and `total_count` with it). "+
			"A host Defender TI has no record of has empty lists and null records, and is also listed in `not_found_host_ids`.",
			fleetValueAttributes(fleetKinds)),
		"not_found_host_ids": schema.ListAttribute{
			Computed:    true,
			ElementType: types.StringType,
			MarkdownDescription: "The hosts of `host_ids` Defender TI has no record of, sorted: every kind read for them that would tell " +
				"(all but `reputation` and `whois`, which a known host may lack) answered not found. One warning names how many there are.",
		},
	}
	maps.Copy(attributes, hostPortsOptionAttributes())
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads what Microsoft Defender Threat Intelligence knows about many hosts in one read: for every host, " +
			"the kinds `include` names (the host itself, its ports, reputation, TLS certificates, components, WHOIS record, subdomains " +
			"and passive DNS), each with the same attributes as the data source that reads it for one host. " +
			"Every request goes through the provider's flow control, up to `max_concurrent_requests` in flight. " +
			"The options of the ports (`top`, `skip`, `select`, `filter`, ...) apply to `ports` and require `include` to hold `ports`.",
		Attributes: attributes,
	}
}

// portsOptions are the attributes that only apply when `include` holds ports.
var portsOptions = []string{"top", "skip", "select", "expand_most_recent_ssl_certificate", "include_count", "filter"}

func (d *hostsDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	validateCertificateSelected(ctx, req.Config, &resp.Diagnostics)
	var include types.Set
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("include"), &include)...)
	if resp.Diagnostics.HasError() || include.IsNull() || include.IsUnknown() ||
		slices.ContainsFunc(include.Elements(), attr.Value.IsUnknown) {
		return // what include holds is known only at apply
	}
	if slices.ContainsFunc(include.Elements(), func(v attr.Value) bool { return v.Equal(types.StringValue("ports")) }) {
		return
	}
	for _, option := range portsOptions {
		var value attr.Value
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(option), &value)...)
		if value != nil && !value.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root(option), "Ports Option Without Ports",
				fmt.Sprintf("%s applies to the ports of each host, but include does not hold \"ports\", so it would have no effect. "+
					"Add \"ports\" to include, or remove %s.", option, option))
		}
	}
}

func (d *hostsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config hostsDataSourceModel
	client, ok := d.startRead(ctx, req.Config, &config, &resp.Diagnostics)
	if !ok {
		return
	}
	query, diags := newHostPortsQuery(ctx, &config.hostPortsOptionsModel)
	resp.Diagnostics.Append(diags...)
	var hostIDs, names []string
	resp.Diagnostics.Append(config.HostIDs.ElementsAs(ctx, &hostIDs, false)...)
	resp.Diagnostics.Append(config.Include.ElementsAs(ctx, &names, false)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var included []*fleetKind
	for _, kind := range fleetKinds {
		if slices.Contains(names, kind.name) {
			included = append(included, kind)
		}
	}

	fleet := readFleet(ctx, client, hostIDs, fleetKinds, included, &query)
	if len(fleet.failures) > 0 {
		target := readTarget{title: "Hosts", what: fmt.Sprintf("what Defender TI knows of %d of %d hosts", failedHosts(fleet.failures), len(hostIDs))}
		addFleetError(ctx, &resp.Diagnostics, target, fleet.failures, true)
		return
	}
	if len(fleet.notFound) > 0 {
		resp.Diagnostics.AddWarning("Hosts Not Found In Defender TI",
			notFoundHostsDetail(fleet.notFound, len(hostIDs), "empty lists and null records", "data"))
	}
	raw, err := stateValue(req.Config.Raw, fleet.state())
	if err != nil {
		resp.Diagnostics.AddError("Unable To Build State", fmt.Sprintf("Converting what Defender TI knows of %d hosts to state failed: %s. This is a bug in the provider.", len(hostIDs), err))
		return
	}
	resp.State.Raw = raw
}
