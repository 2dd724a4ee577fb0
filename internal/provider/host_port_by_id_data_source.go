package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

var (
	_ datasource.DataSourceWithConfigure      = &hostPortByIDDataSource{}
	_ datasource.DataSourceWithValidateConfig = &hostPortByIDDataSource{}
)

// NewHostPortDataSource returns the defender_ti_host_port data source.
func NewHostPortDataSource() datasource.DataSource {
	return &hostPortByIDDataSource{}
}

// hostPortByIDDataSource reads one hostPort by its id. Its attributes are the
// hostPort object's, at the top level, with id as the input.
type hostPortByIDDataSource struct {
	graphDataSource
}

type hostPortByIDOptions struct {
	ID                             types.String `tfsdk:"id"`
	Select                         types.Set    `tfsdk:"select"`
	ExpandMostRecentSslCertificate types.Bool   `tfsdk:"expand_most_recent_ssl_certificate"`
}

func (d *hostPortByIDDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_ti_host_port"
}

func (d *hostPortByIDDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attributes := hostPortTable.attributes()
	attributes["id"] = schema.StringAttribute{
		Required: true,
		MarkdownDescription: "The hostPort to read: the `id` of an element of a `defender_ti_host_ports` list. " +
			"It is opaque and passed to Graph as it is, escaped; it may hold characters such as `=`, `+` and `/`.",
		Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
	}
	attributes["select"] = hostPortSelectAttribute("Attributes left out are null.")
	attributes["expand_most_recent_ssl_certificate"] = expandCertificateAttribute()
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one port observation of Microsoft Defender Threat Intelligence by its id " +
			"(`GET /security/threatIntelligence/hostPorts/{hostPortId}` in Microsoft Graph): the port's protocol, status, " +
			"first and last sightings, banners, detected services and most recent TLS certificate, as attributes of the data source. " +
			"An id Defender TI does not know fails the read, since the configuration asked for that one port.",
		Attributes: attributes,
	}
}

func (d *hostPortByIDDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	validateCertificateSelected(ctx, req.Config, &resp.Diagnostics)
}

func (d *hostPortByIDDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	options := hostPortOptionsOf(ctx, req.Config, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	client, ok := d.configuredClient(&resp.Diagnostics)
	if !ok {
		return
	}
	sel, properties, diags := selectionOf(ctx, hostPortTable.properties(), options.Select, nil)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	id := options.ID.ValueString()
	hostPort, err := client.GetHostPort(ctx, id, graph.QueryOptions{Select: properties, Expand: certificateExpansion(options.ExpandMostRecentSslCertificate)})
	switch {
	case graph.IsNotFound(err):
		resp.Diagnostics.AddAttributeError(path.Root("id"), "Host Port Not Found In Defender TI",
			fmt.Sprintf("Microsoft Graph has no Defender Threat Intelligence record of hostPort %q (%s). "+
				"Take the id from the ports of a defender_ti_host_ports data source, which lists what Defender TI holds for a host.", id, err))
		return
	case err != nil:
		hostPortTarget(id).addReadError(ctx, &resp.Diagnostics, err)
		return
	}

	computed := hostPortTable.attributeValues(hostPort, sel)
	// The id stays the one configured: it is the input, and Graph may spell
	// an equal id differently.
	delete(computed, "id")
	raw, err := stateValue(req.Config.Raw, computed)
	if err != nil {
		resp.Diagnostics.AddError("Unable To Build State", fmt.Sprintf("Converting hostPort %q to state failed: %s. This is a bug in the provider.", id, err))
		return
	}
	resp.State.Raw = raw
}

// hostPortOptionsOf reads the data source's inputs; the other attributes of
// its configuration are the hostPort's, computed.
func hostPortOptionsOf(ctx context.Context, config tfsdk.Config, diags *diag.Diagnostics) hostPortByIDOptions {
	var options hostPortByIDOptions
	diags.Append(config.GetAttribute(ctx, path.Root("id"), &options.ID)...)
	diags.Append(config.GetAttribute(ctx, path.Root("select"), &options.Select)...)
	diags.Append(config.GetAttribute(ctx, path.Root("expand_most_recent_ssl_certificate"), &options.ExpandMostRecentSslCertificate)...)
	return options
}
