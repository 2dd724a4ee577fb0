// Package provider is the Terraform layer of the defender provider: it turns
// provider configuration into an Entra ID credential and one shared Graph
// client, and maps Graph's host-port types to data source schema values.
package provider

import (
	"context"
	"crypto/x509"
	"fmt"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

var (
	_ provider.Provider              = &defenderProvider{}
	_ provider.ProviderWithFunctions = &defenderProvider{}
)

// defenderProvider is one provider instance; Terraform makes one per
// provider block (and alias) in a run.
type defenderProvider struct {
	version string
	// rootCAs replaces the system roots; tests set it to trust the emulator.
	rootCAs *x509.CertPool
	// configuredClient is what Configure handed to data sources, and
	// configuredDeferral the deferral it asked for, for the reads readServer
	// serves (see server.go).
	configuredClient   atomic.Pointer[graph.Client]
	configuredDeferral atomic.Pointer[provider.Deferred]
}

// configured returns what Configure handed to data sources, nil until it
// has built a client (so data sources report the provider as not configured,
// as under the framework's own path), and the deferral it asked for.
func (p *defenderProvider) configured() (any, *provider.Deferred) {
	if client := p.configuredClient.Load(); client != nil {
		return client, nil
	}
	return nil, p.configuredDeferral.Load()
}

func (p *defenderProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "defender"
	resp.Version = p.version
}

func (p *defenderProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads Microsoft Defender Threat Intelligence through Microsoft Graph. " +
			"The identity it signs in with needs the Graph application permission `ThreatIntelligence.Read.All`. " +
			"Every attribute is optional. Sign-in and endpoint attributes fall back to the environment variables named in " +
			"their descriptions; a value set here always wins over the environment.",
		Attributes: map[string]schema.Attribute{
			"tenant_id":                        optionalString("The Entra ID tenant (directory) ID to sign in to. Falls back to `ARM_TENANT_ID`, then `AZURE_TENANT_ID`."),
			"client_id":                        optionalString("The client (application) ID to sign in as; with `use_msi`, the client ID of a user-assigned managed identity. Falls back to `ARM_CLIENT_ID`, then `AZURE_CLIENT_ID`."),
			"client_id_file_path":              optionalString("A file holding the client (application) ID, as HCP Terraform's Azure dynamic credentials provide it; surrounding whitespace is ignored. Falls back to `ARM_CLIENT_ID_FILE_PATH`. When `client_id` is also set, the two must agree."),
			"client_secret":                    sensitiveString("A client secret of the application. Falls back to `ARM_CLIENT_SECRET`; prefer the variable, so the secret stays out of configuration files."),
			"client_secret_file_path":          optionalString("A file holding the client secret. Falls back to `ARM_CLIENT_SECRET_FILE_PATH`. When `client_secret` is also set, the two must agree."),
			"client_certificate":               sensitiveString("A client certificate with its private key, base64-encoded: PKCS#12, or PEM. Falls back to `ARM_CLIENT_CERTIFICATE`."),
			"client_certificate_path":          optionalString("A file holding a client certificate with its private key, PKCS#12 or PEM. Falls back to `ARM_CLIENT_CERTIFICATE_PATH`."),
			"client_certificate_password":      sensitiveString("The password of the PKCS#12 client certificate, if it has one. Falls back to `ARM_CLIENT_CERTIFICATE_PASSWORD`."),
			"use_oidc":                         optionalBool("Sign in with an OpenID Connect token from the CI system (workload identity federation): the one the `oidc_*` attributes give, or else the one HCP Terraform, Spacelift or env0 provides to the run. Falls back to `ARM_USE_OIDC`. Defaults to `false`."),
			"oidc_token":                       sensitiveString("An OIDC token to exchange for a Graph token, used with `use_oidc`. Falls back to `ARM_OIDC_TOKEN`."),
			"oidc_token_file_path":             optionalString("A file holding the OIDC token, read again whenever a new Graph token is needed. Falls back to `ARM_OIDC_TOKEN_FILE_PATH`."),
			"oidc_request_url":                 optionalString("The URL from which to request an OIDC token, as GitHub Actions provides it. Falls back to `ARM_OIDC_REQUEST_URL`, then `ACTIONS_ID_TOKEN_REQUEST_URL`."),
			"oidc_request_token":               sensitiveString("The bearer token for `oidc_request_url`. Falls back to `ARM_OIDC_REQUEST_TOKEN`, then `ACTIONS_ID_TOKEN_REQUEST_TOKEN`."),
			"oidc_azure_service_connection_id": optionalString("The ID of an Azure Pipelines service connection using workload identity federation, used with `use_oidc`; the pipeline's `SYSTEM_ACCESSTOKEN` must be mapped into the environment. Falls back to `ARM_OIDC_AZURE_SERVICE_CONNECTION_ID`, then `ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID`."),
			"use_aks_workload_identity":        optionalBool("Sign in with AKS workload identity: the federated token file in `AZURE_FEDERATED_TOKEN_FILE`, with `AZURE_CLIENT_ID` and `AZURE_TENANT_ID` as fallbacks for `client_id` and `tenant_id`. Falls back to `ARM_USE_AKS_WORKLOAD_IDENTITY`. Defaults to `false`."),
			"use_msi":                          optionalBool("Sign in with a managed identity: system-assigned, or user-assigned when `client_id` is set. Falls back to `ARM_USE_MSI`. Defaults to `false`."),
			"msi_endpoint":                     optionalString("The managed identity token endpoint, when it is not the one the host advertises in `IDENTITY_ENDPOINT`. Falls back to `ARM_MSI_ENDPOINT`."),
			"tfc_workload_identity_tag": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The tag of the HCP Terraform or Terraform Enterprise workload identity token to sign in with, under `use_oidc` " +
					"when no `oidc_*` source is configured: the provider then uses `TFC_WORKLOAD_IDENTITY_TOKEN_<tag>`, which a run has when its workspace " +
					"sets `TFC_WORKLOAD_IDENTITY_AUDIENCE_<tag>`, and fails when it is missing rather than use another platform's token. " +
					"Unset, the untagged `TFC_WORKLOAD_IDENTITY_TOKEN` is used. Letters, digits and underscores. Falls back to `ARM_TFC_WORKLOAD_IDENTITY_TAG`.",
				Validators: []validator.String{stringvalidator.RegexMatches(workloadIdentityTag, "must hold only letters, digits and underscores")},
			},
			"use_cli": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Sign in as the account logged in to the Azure CLI (`az login`), when no other method is configured or all others are unavailable. " +
					"Falls back to `ARM_USE_CLI`. Defaults to `true`.",
			},
			"environment": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The Microsoft cloud: `public` (the default), `usgovernment`, `usgovernmentl5` (also `dod`) or `china`. " +
					"It sets both the Graph endpoint and the authority host. Microsoft documents the Threat Intelligence API in the public cloud only. " +
					"Falls back to `ARM_ENVIRONMENT`.",
				Validators: []validator.String{stringvalidator.OneOf(environmentNames()...)},
			},
			"api_version": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "The Microsoft Graph API version to call: `v1.0` (the default) or `beta`. The host-port API is identical in both.",
				Validators:          []validator.String{stringvalidator.OneOf(graph.APIVersions...)},
			},
			"graph_endpoint": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The Microsoft Graph endpoint, overriding `environment`, for a gateway, proxy or emulator in front of Graph. " +
					"Falls back to `ARM_GRAPH_ENDPOINT`. It must be `https` (`http` only on a loopback address). The token scope follows it: " +
					"the endpoint's scheme and host followed by `/.default`. Bearer tokens are only ever sent to this endpoint's origin.",
				Validators: []validator.String{validEndpoint()},
			},
			"authority_host": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The Entra ID authority host that issues tokens, overriding `environment`. " +
					"Falls back to `ARM_AUTHORITY_HOST`, then `AZURE_AUTHORITY_HOST`. It must be `https`.",
				Validators: []validator.String{validAuthorityHost()},
			},
			"disable_instance_discovery": optionalBool("Skip Entra ID instance discovery and metadata validation of `authority_host`. " +
				"Needed for an authority Entra ID does not know, such as a private cloud or a local emulator. Falls back to `ARM_DISABLE_INSTANCE_DISCOVERY`. Defaults to `false`."),
			"max_retries": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "How many times a request that failed transiently (500, 502, 503, 504, network errors, a page whose body breaks off mid-stream) " +
					"is retried, honouring Graph's `Retry-After`. Defaults to 4; 0 disables retries. A request Graph throttles (429) is not a failure and spends " +
					"no retry: it waits for its turn and is sent again, for as long as `throttle_timeout` allows.",
				Validators: []validator.Int64{int64validator.Between(0, 20)},
			},
			"max_concurrent_requests": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("The most Graph requests this provider configuration has in flight at once, across all its reads: "+
					"the hosts of a `defender_ti_hosts_ports` read and separate data source instances together. Between 1 and %d; defaults to %d. "+
					"It is a ceiling, not a rate: when Graph throttles, the provider learns the rate Graph allows from its `429` answers and starts "+
					"requests no faster, honours `Retry-After` and comes out of it gradually, so a fleet read needs no tuning against Graph's limit. "+
					"The default keeps to the 100 concurrent streams HTTP/2 asks servers to allow, so every request can share one connection.",
					maxConcurrentRequestsLimit, graph.DefaultMaxConcurrentRequests),
				Validators: []validator.Int64{int64validator.Between(1, maxConcurrentRequestsLimit)},
			},
			"request_timeout": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The longest one request to Graph may take, from sending it to reading the last byte of the page, " +
					"as a duration such as `30s` or `2m`. Each retry gets the same limit; the time a request waits for its turn does not count. Defaults to `60s`.",
				Validators: []validator.String{validDuration()},
			},
			"throttle_timeout": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("How long Graph may answer every request of this provider configuration with `429` before the reads "+
					"waiting for their turn fail with the throttling error, as a duration such as `2m`. While Graph lets some requests through, "+
					"reads keep waiting and go on, however slowly. Defaults to `%s`.", graph.DefaultThrottleTimeout),
				Validators: []validator.String{validDuration()},
			},
		},
	}
}

// maxConcurrentRequestsLimit bounds max_concurrent_requests, so that a
// mistyped value cannot open hundreds of connections to Graph at once.
const maxConcurrentRequestsLimit = 500

func optionalString(description string) schema.StringAttribute {
	return schema.StringAttribute{Optional: true, MarkdownDescription: description}
}

func sensitiveString(description string) schema.StringAttribute {
	return schema.StringAttribute{Optional: true, Sensitive: true, MarkdownDescription: description}
}

func optionalBool(description string) schema.BoolAttribute {
	return schema.BoolAttribute{Optional: true, MarkdownDescription: description}
}

func (p *defenderProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewHostPortsDataSource, NewHostPortDataSource, NewHostsPortsDataSource,
		NewHostDataSource, NewHostReputationDataSource, NewHostSslCertificatesDataSource, NewHostComponentsDataSource,
		NewHostWhoisDataSource, NewHostSubdomainsDataSource, NewHostPassiveDNSDataSource, NewHostsDataSource,
	}
}

// Functions are pure and offline: Terraform can call them before, and
// without, configuring the provider.
func (p *defenderProvider) Functions(context.Context) []func() function.Function {
	return []func() function.Function{NewExposureFindingsFunction, NewCompareVersionsFunction}
}

func (p *defenderProvider) Resources(context.Context) []func() resource.Resource {
	return nil
}
