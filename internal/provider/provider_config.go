package provider

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

const defaultRequestTimeout = 60 * time.Second

type providerModel struct {
	TenantID                 types.String `tfsdk:"tenant_id"`
	ClientID                 types.String `tfsdk:"client_id"`
	ClientSecret             types.String `tfsdk:"client_secret"`
	APIVersion               types.String `tfsdk:"api_version"`
	GraphEndpoint            types.String `tfsdk:"graph_endpoint"`
	AuthorityHost            types.String `tfsdk:"authority_host"`
	DisableInstanceDiscovery types.Bool   `tfsdk:"disable_instance_discovery"`
	MaxRetries               types.Int64  `tfsdk:"max_retries"`
	RequestTimeout           types.String `tfsdk:"request_timeout"`
}

// settings is the configuration after environment fallbacks and defaults:
// plain values, no Terraform types.
type settings struct {
	tenantID                 string
	clientID                 string
	clientSecret             string
	apiVersion               string
	graphEndpoint            string
	authorityHost            string
	disableInstanceDiscovery bool
	maxRetries               int32
	requestTimeout           time.Duration
}

func (p *defenderProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var config providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if unknown := unknownAttributes(&config); len(unknown) > 0 {
		if req.ClientCapabilities.DeferralAllowed {
			resp.Deferred = &provider.Deferred{Reason: provider.DeferredReasonProviderConfigUnknown}
			return
		}
		for _, name := range unknown {
			resp.Diagnostics.AddAttributeError(path.Root(name), "Unknown Provider Configuration Value",
				fmt.Sprintf("The value of %s depends on something known only after apply, but the provider must sign in to read data sources while planning. "+
					"Set it to a value known at plan time, or apply the resources it depends on first (for example with -target).", name))
		}
		return
	}

	s, err := resolveSettings(&config)
	if err != nil {
		resp.Diagnostics.AddError("Invalid Provider Configuration", err.Error())
		return
	}
	ctx = tflog.MaskAllFieldValuesStrings(ctx, nonEmpty(s.clientSecret)...)
	if missing := s.missingCredentials(); len(missing) > 0 {
		resp.Diagnostics.AddError("Missing Credentials",
			fmt.Sprintf("The provider needs %s to sign in to Entra ID, set in the provider block or through the environment variables named in the documentation.",
				strings.Join(missing, ", ")))
		return
	}

	transport := graph.NewTransport(p.rootCAs)
	credential, err := s.credential(&http.Client{Transport: transport})
	if err != nil {
		resp.Diagnostics.AddError("Unable To Create Credential", fmt.Sprintf("Building the Entra ID credential failed: %s.", err))
		return
	}
	client, err := graph.NewClient(graph.Options{
		Endpoint:   s.graphEndpoint,
		APIVersion: s.apiVersion,
		Credential: credential,
		Retry: graph.RetryOptions{
			MaxRetries: s.maxRetries,
			TryTimeout: s.requestTimeout,
		},
		Transport: transport,
		UserAgent: fmt.Sprintf("terraform-provider-defender/%s terraform/%s", p.version, req.TerraformVersion),
		Log:       logToTflog,
	})
	if err != nil {
		resp.Diagnostics.AddError("Unable To Create Graph Client", fmt.Sprintf("Building the Microsoft Graph client failed: %s.", err))
		return
	}
	tflog.Debug(ctx, "Configured the Graph client", map[string]any{
		"graph_endpoint": firstNonEmpty(s.graphEndpoint, graph.DefaultEndpoint),
		"api_version":    s.apiVersion,
		"tenant_id":      s.tenantID,
		"client_id":      s.clientID,
	})
	resp.DataSourceData = client
}

// logToTflog routes the client's per-request log lines into Terraform's log.
func logToTflog(ctx context.Context, msg string, fields map[string]any) {
	tflog.Debug(ctx, msg, fields)
}

func unknownAttributes(config *providerModel) []string {
	var names []string
	for name, value := range map[string]interface{ IsUnknown() bool }{
		"tenant_id":                  config.TenantID,
		"client_id":                  config.ClientID,
		"client_secret":              config.ClientSecret,
		"api_version":                config.APIVersion,
		"graph_endpoint":             config.GraphEndpoint,
		"authority_host":             config.AuthorityHost,
		"disable_instance_discovery": config.DisableInstanceDiscovery,
		"max_retries":                config.MaxRetries,
		"request_timeout":            config.RequestTimeout,
	} {
		if value.IsUnknown() {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// resolveSettings applies environment fallbacks and defaults. A value in the
// provider block always wins over the environment.
func resolveSettings(config *providerModel) (settings, error) {
	s := settings{
		tenantID:      stringOrEnv(config.TenantID, "ARM_TENANT_ID"),
		clientID:      stringOrEnv(config.ClientID, "ARM_CLIENT_ID"),
		clientSecret:  stringOrEnv(config.ClientSecret, "ARM_CLIENT_SECRET"),
		apiVersion:    firstNonEmpty(config.APIVersion.ValueString(), graph.DefaultAPIVersion),
		graphEndpoint: stringOrEnv(config.GraphEndpoint, "ARM_GRAPH_ENDPOINT"),
		authorityHost: stringOrEnv(config.AuthorityHost, "ARM_AUTHORITY_HOST", "AZURE_AUTHORITY_HOST"),
		maxRetries:    graph.DefaultMaxRetries,
	}
	if s.graphEndpoint != "" {
		if err := graph.ValidateEndpoint(s.graphEndpoint); err != nil {
			return s, fmt.Errorf("graph_endpoint (or ARM_GRAPH_ENDPOINT) is not valid: %w", err)
		}
	}
	if s.authorityHost != "" {
		if err := graph.ValidateEndpoint(s.authorityHost); err != nil {
			return s, fmt.Errorf("authority_host (or ARM_AUTHORITY_HOST) is not valid: %w", err)
		}
	}
	disable, err := boolOrEnv(config.DisableInstanceDiscovery, "ARM_DISABLE_INSTANCE_DISCOVERY")
	if err != nil {
		return s, err
	}
	s.disableInstanceDiscovery = disable
	if !config.MaxRetries.IsNull() {
		s.maxRetries = int32(config.MaxRetries.ValueInt64())
		if s.maxRetries == 0 {
			s.maxRetries = -1 // azcore reads 0 as "default" and a negative value as "no retries"
		}
	}
	s.requestTimeout = defaultRequestTimeout
	if !config.RequestTimeout.IsNull() {
		timeout, err := time.ParseDuration(config.RequestTimeout.ValueString())
		if err != nil || timeout <= 0 {
			return s, fmt.Errorf("request_timeout %q is not a positive duration such as 30s", config.RequestTimeout.ValueString())
		}
		s.requestTimeout = timeout
	}
	return s, nil
}

func (s settings) missingCredentials() []string {
	var missing []string
	for _, required := range []struct{ value, name string }{
		{s.tenantID, "tenant_id (ARM_TENANT_ID)"},
		{s.clientID, "client_id (ARM_CLIENT_ID)"},
		{s.clientSecret, "client_secret (ARM_CLIENT_SECRET)"},
	} {
		if required.value == "" {
			missing = append(missing, required.name)
		}
	}
	return missing
}

// credential builds the Entra ID credential. It shares the Graph client's
// transport, so token and Graph calls use one connection pool and the same
// proxy settings.
func (s settings) credential(httpClient *http.Client) (azcore.TokenCredential, error) {
	options := &azidentity.ClientSecretCredentialOptions{
		ClientOptions: azcore.ClientOptions{
			Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: s.authorityHost},
			Transport: httpClient,
			Retry:     policy.RetryOptions{MaxRetries: s.maxRetries, TryTimeout: s.requestTimeout},
		},
		DisableInstanceDiscovery: s.disableInstanceDiscovery,
	}
	if options.Cloud.ActiveDirectoryAuthorityHost == "" {
		options.Cloud = cloud.AzurePublic
	}
	return azidentity.NewClientSecretCredential(s.tenantID, s.clientID, s.clientSecret, options)
}

func stringOrEnv(value types.String, envNames ...string) string {
	if !value.IsNull() {
		return value.ValueString()
	}
	for _, name := range envNames {
		if v := os.Getenv(name); v != "" {
			return v
		}
	}
	return ""
}

func boolOrEnv(value types.Bool, envName string) (bool, error) {
	if !value.IsNull() {
		return value.ValueBool(), nil
	}
	raw := os.Getenv(envName)
	if raw == "" {
		return false, nil
	}
	parsed, err := strconv.ParseBool(raw)
	if err != nil {
		return false, fmt.Errorf("the environment variable %s is %q, which is not true or false", envName, raw)
	}
	return parsed, nil
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

func nonEmpty(values ...string) []string {
	var kept []string
	for _, v := range values {
		if v != "" {
			kept = append(kept, v)
		}
	}
	return kept
}
