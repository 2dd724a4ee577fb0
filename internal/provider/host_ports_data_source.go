package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

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
	client *graph.Client
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

// selectableAttributes are the snake_case names `select` accepts, one per
// hostPort property, in Graph's order.
var selectableAttributes = func() []string {
	names := make([]string, len(graph.HostPortProperties))
	for i, property := range graph.HostPortProperties {
		names[i] = snakeCase(property)
	}
	return names
}()

// snakeCase turns a Graph property name into its schema attribute name.
func snakeCase(camel string) string {
	var b strings.Builder
	for i, r := range camel {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (d *hostPortsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_ti_host_ports"
}

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
	return map[string]schema.Attribute{
		"host_id": schema.StringAttribute{
			Required: true,
			MarkdownDescription: "The host to read: an IPv4 address such as `8.8.8.8`, an IPv6 address, or a DNS host name such as " +
				"`contoso.com` (an internationalized name in its `xn--` form). It is checked when the plan is made, before any request.",
			Validators: []validator.String{validHostID()},
		},
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
		"select": schema.SetAttribute{
			Optional:    true,
			ElementType: types.StringType,
			MarkdownDescription: "The port attributes to return (Graph's `$select`), by their names in this schema: " +
				backtickList(selectableAttributes) + ". Attributes left out are null in `ports`, which keeps state small for hosts " +
				"with many ports. Attributes that `filter`, sorting and `open_ports` need are fetched anyway. When unset, every attribute is returned.",
			Validators: []validator.Set{
				setvalidator.SizeAtLeast(1),
				setvalidator.ValueStringsAre(stringvalidator.OneOf(selectableAttributes...)),
			},
		},
		"expand_most_recent_ssl_certificate": schema.BoolAttribute{
			Optional: true,
			MarkdownDescription: "When `true`, every field of `most_recent_ssl_certificate` is returned (Graph's " +
				"`$expand=mostRecentSslCertificate`); otherwise only its `id`. Defaults to `false`.",
		},
		"include_count": schema.BoolAttribute{
			Optional:            true,
			MarkdownDescription: "When `true`, `total_count` is filled from Graph's `@odata.count`. Defaults to `false`.",
		},
		"filter": schema.SingleNestedAttribute{
			Optional: true,
			MarkdownDescription: "Conditions the Graph API cannot evaluate itself, applied by the provider to the ports Graph returns " +
				"(after `top` and `skip`). A port must meet every condition that is set.",
			Attributes: filterAttributes(),
		},
		"id": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "The host id, the same as `host_id`.",
		},
		"ports": schema.ListNestedAttribute{
			Computed: true,
			MarkdownDescription: "The ports observed on the host, after `filter`, sorted by `port` then `protocol`. " +
				"Each object mirrors Graph's `hostPort` field by field. Empty when Defender TI does not know the host.",
			NestedObject: schema.NestedAttributeObject{Attributes: hostPortAttributes()},
		},
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

func backtickList(names []string) string {
	quoted := make([]string, len(names))
	for i, name := range names {
		quoted[i] = "`" + name + "`"
	}
	return strings.Join(quoted, ", ")
}

func (d *hostPortsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if req.ProviderData == nil {
		return // not configured yet: Terraform calls Configure again later
	}
	client, ok := req.ProviderData.(*graph.Client)
	if !ok {
		resp.Diagnostics.AddError("Unexpected Data Source Configure Type",
			fmt.Sprintf("The provider handed the data source a %T where a *graph.Client was expected. This is a bug in the provider; please report it.", req.ProviderData))
		return
	}
	d.client = client
}

// ValidateConfig catches combinations no single attribute validator can see.
func (d *hostPortsDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var config hostPortsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() || config.Select.IsNull() || config.Select.IsUnknown() || !config.ExpandMostRecentSslCertificate.ValueBool() {
		return
	}
	var selected []string
	resp.Diagnostics.Append(config.Select.ElementsAs(ctx, &selected, false)...)
	if !slices.Contains(selected, "most_recent_ssl_certificate") {
		resp.Diagnostics.AddAttributeError(path.Root("expand_most_recent_ssl_certificate"), "Certificate Expanded But Not Selected",
			"expand_most_recent_ssl_certificate is true, but select leaves out most_recent_ssl_certificate, so the expanded certificate would be discarded. "+
				"Add \"most_recent_ssl_certificate\" to select, or drop expand_most_recent_ssl_certificate.")
	}
}

func (d *hostPortsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config hostPortsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if d.client == nil {
		resp.Diagnostics.AddError("Provider Not Configured",
			"The defender provider has no Graph client, so the data source cannot read. Check the provider configuration for earlier errors.")
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
	result, err := d.client.ListHostPorts(ctx, hostID, options)
	switch {
	case graph.IsNotFound(err):
		resp.Diagnostics.AddWarning("Host Not Found In Defender TI", notFoundDetail(hostID, err))
		result = &graph.HostPortList{}
		if options.Count {
			var zero int64
			result.Count = &zero
		}
	case err != nil:
		resp.Diagnostics.AddError(readErrorSummary(ctx, err), readErrorDetail(ctx, hostID, err))
		return
	}

	ports := filter.apply(result.Ports)
	sortHostPorts(ports)
	portValues := make([]attr.Value, len(ports))
	for i := range ports {
		portValues[i] = hostPortValue(&ports[i], sel)
	}

	state, diags := types.ObjectValue(hostPortsStateAttrTypes, map[string]attr.Value{
		"host_id":                            config.HostID,
		"top":                                config.Top,
		"skip":                               config.Skip,
		"select":                             config.Select,
		"expand_most_recent_ssl_certificate": config.ExpandMostRecentSslCertificate,
		"include_count":                      config.IncludeCount,
		"filter":                             config.Filter,
		"id":                                 types.StringValue(hostID),
		"ports":                              types.ListValueMust(hostPortObjectType, portValues),
		"open_ports":                         openPortsValue(ports),
		"total_count":                        types.Int64PointerValue(result.Count),
	})
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	// The state is assigned as a whole rather than through State.Set, whose
	// reflection over thousands of nested objects cost several times the rest
	// of a read (see docs/guides/performance.md).
	raw, err := state.ToTerraformValue(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Unable To Build State", fmt.Sprintf("Converting the ports of host %q to state failed: %s. This is a bug in the provider.", hostID, err))
		return
	}
	resp.State.Raw = raw
}

// hostPortsStateAttrTypes is the state's object type, derived from the schema.
var hostPortsStateAttrTypes = attrTypesOf(hostPortsAttributes())

// listOptions maps the configuration to Graph's OData options. A `select`
// is widened by what filtering, sorting and open_ports read; the selection
// returned remembers what the user asked for, so the rest is nulled.
func listOptions(ctx context.Context, config *hostPortsDataSourceModel, filter portFilter) (selection, graph.ListOptions, diag.Diagnostics) {
	var diags diag.Diagnostics
	options := graph.ListOptions{
		Top:                            int(config.Top.ValueInt64()),
		Skip:                           int(config.Skip.ValueInt64()),
		ExpandMostRecentSslCertificate: config.ExpandMostRecentSslCertificate.ValueBool(),
		Count:                          config.IncludeCount.ValueBool(),
	}
	if config.Select.IsNull() {
		return selection{all: true}, options, diags
	}
	var selected []string
	diags.Append(config.Select.ElementsAs(ctx, &selected, false)...)
	sel := selection{names: make(map[string]bool, len(selected))}
	for _, name := range selected {
		sel.names[name] = true
	}
	needed := append([]string{"port", "protocol", "status"}, filter.graphProperties()...)
	for _, property := range graph.HostPortProperties {
		if sel.names[snakeCase(property)] || slices.Contains(needed, property) {
			options.Select = append(options.Select, property)
		}
	}
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

// openPortsValue lists the distinct open port numbers of sorted ports.
func openPortsValue(sorted []graph.HostPort) types.List {
	open := make([]attr.Value, 0)
	last := int32(-1)
	for i := range sorted {
		if sorted[i].Status == graph.StatusOpen && sorted[i].Port != last {
			open = append(open, types.Int64Value(int64(sorted[i].Port)))
			last = sorted[i].Port
		}
	}
	return types.ListValueMust(types.Int64Type, open)
}
