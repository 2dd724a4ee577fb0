// Package provider is the Terraform layer of the defender provider: it turns
// provider configuration into an Entra ID credential and one shared Graph
// client, and maps Graph's host-port types to data source schema values.
package provider

import (
	"context"
	"crypto/x509"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

var _ provider.Provider = &defenderProvider{}

// defenderProvider is one provider instance; Terraform makes one per
// provider block (and alias) in a run.
type defenderProvider struct {
	version string
	// rootCAs replaces the system roots; tests set it to trust the emulator.
	rootCAs *x509.CertPool
}

// New returns a constructor of the provider for providerserver.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &defenderProvider{version: version}
	}
}

func (p *defenderProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "defender"
	resp.Version = p.version
}

func (p *defenderProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads Microsoft Defender Threat Intelligence through Microsoft Graph. " +
			"The identity it signs in with needs the Graph application permission `ThreatIntelligence.Read.All`.",
		Attributes: map[string]schema.Attribute{
			"tenant_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "The Entra ID tenant (directory) ID to sign in to. Falls back to the `ARM_TENANT_ID` environment variable.",
			},
			"client_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "The client (application) ID of the app registration to sign in as. Falls back to the `ARM_CLIENT_ID` environment variable.",
			},
			"client_secret": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "A client secret of the app registration. Falls back to the `ARM_CLIENT_SECRET` environment variable; " +
					"prefer the variable, so the secret stays out of configuration files.",
			},
			"api_version": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "The Microsoft Graph API version to call: `v1.0` (the default) or `beta`. The host-port API is identical in both.",
				Validators:          []validator.String{stringvalidator.OneOf(graph.APIVersions...)},
			},
			"graph_endpoint": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The Microsoft Graph endpoint, for a gateway, proxy or emulator in front of Graph. Defaults to " +
					"`https://graph.microsoft.com`; falls back to the `ARM_GRAPH_ENDPOINT` environment variable. It must be `https` " +
					"(`http` only on a loopback address). The token scope follows it: `{graph_endpoint}/.default`. " +
					"Bearer tokens are only ever sent to this endpoint's origin.",
				Validators: []validator.String{validEndpoint()},
			},
			"authority_host": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The Entra ID authority host that issues tokens. Defaults to `https://login.microsoftonline.com`; " +
					"falls back to the `ARM_AUTHORITY_HOST`, then `AZURE_AUTHORITY_HOST`, environment variables.",
				Validators: []validator.String{validEndpoint()},
			},
			"disable_instance_discovery": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Skip Entra ID instance discovery and metadata validation of `authority_host`. " +
					"Needed for an authority Entra ID does not know, such as a private cloud or a local emulator. Defaults to `false`; " +
					"falls back to the `ARM_DISABLE_INSTANCE_DISCOVERY` environment variable.",
			},
			"max_retries": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "How many times a request throttled (429) or failed transiently (500, 502, 503, 504, network errors) is retried, " +
					"honouring Graph's `Retry-After`. Defaults to 4; 0 disables retries.",
				Validators: []validator.Int64{int64validator.Between(0, 20)},
			},
			"request_timeout": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The longest one request to Graph may take, from sending it to reading the last byte of the page, " +
					"as a duration such as `30s` or `2m`. Each retry gets the same limit. Defaults to `60s`.",
				Validators: []validator.String{validDuration()},
			},
		},
	}
}

func (p *defenderProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{NewHostPortsDataSource}
}

func (p *defenderProvider) Resources(context.Context) []func() resource.Resource {
	return nil
}
