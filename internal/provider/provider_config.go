package provider

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

const defaultRequestTimeout = 60 * time.Second

type providerModel struct {
	TenantID                     types.String `tfsdk:"tenant_id"`
	ClientID                     types.String `tfsdk:"client_id"`
	ClientIDFilePath             types.String `tfsdk:"client_id_file_path"`
	ClientSecret                 types.String `tfsdk:"client_secret"`
	ClientSecretFilePath         types.String `tfsdk:"client_secret_file_path"`
	ClientCertificate            types.String `tfsdk:"client_certificate"`
	ClientCertificatePath        types.String `tfsdk:"client_certificate_path"`
	ClientCertificatePassword    types.String `tfsdk:"client_certificate_password"`
	UseOIDC                      types.Bool   `tfsdk:"use_oidc"`
	OIDCToken                    types.String `tfsdk:"oidc_token"`
	OIDCTokenFilePath            types.String `tfsdk:"oidc_token_file_path"`
	OIDCRequestURL               types.String `tfsdk:"oidc_request_url"`
	OIDCRequestToken             types.String `tfsdk:"oidc_request_token"`
	OIDCAzureServiceConnectionID types.String `tfsdk:"oidc_azure_service_connection_id"`
	TFCWorkloadIdentityTag       types.String `tfsdk:"tfc_workload_identity_tag"`
	UseAKSWorkloadIdentity       types.Bool   `tfsdk:"use_aks_workload_identity"`
	UseMSI                       types.Bool   `tfsdk:"use_msi"`
	MSIEndpoint                  types.String `tfsdk:"msi_endpoint"`
	UseCLI                       types.Bool   `tfsdk:"use_cli"`
	Environment                  types.String `tfsdk:"environment"`
	APIVersion                   types.String `tfsdk:"api_version"`
	GraphEndpoint                types.String `tfsdk:"graph_endpoint"`
	AuthorityHost                types.String `tfsdk:"authority_host"`
	DisableInstanceDiscovery     types.Bool   `tfsdk:"disable_instance_discovery"`
	MaxRetries                   types.Int64  `tfsdk:"max_retries"`
	RequestTimeout               types.String `tfsdk:"request_timeout"`
	ThrottleTimeout              types.String `tfsdk:"throttle_timeout"`
	MaxConcurrentRequests        types.Int64  `tfsdk:"max_concurrent_requests"`
}

// attributes lists every attribute with its value, for checks that apply
// to all of them alike.
func (m *providerModel) attributes() map[string]attr.Value {
	return map[string]attr.Value{
		"tenant_id": m.TenantID, "client_id": m.ClientID, "client_id_file_path": m.ClientIDFilePath,
		"client_secret": m.ClientSecret, "client_secret_file_path": m.ClientSecretFilePath,
		"client_certificate": m.ClientCertificate, "client_certificate_path": m.ClientCertificatePath,
		"client_certificate_password": m.ClientCertificatePassword,
		"use_oidc":                    m.UseOIDC, "oidc_token": m.OIDCToken, "oidc_token_file_path": m.OIDCTokenFilePath,
		"oidc_request_url": m.OIDCRequestURL, "oidc_request_token": m.OIDCRequestToken,
		"oidc_azure_service_connection_id": m.OIDCAzureServiceConnectionID, "tfc_workload_identity_tag": m.TFCWorkloadIdentityTag,
		"use_aks_workload_identity": m.UseAKSWorkloadIdentity, "use_msi": m.UseMSI, "msi_endpoint": m.MSIEndpoint,
		"use_cli": m.UseCLI, "environment": m.Environment, "api_version": m.APIVersion,
		"graph_endpoint": m.GraphEndpoint, "authority_host": m.AuthorityHost,
		"disable_instance_discovery": m.DisableInstanceDiscovery,
		"max_retries":                m.MaxRetries, "request_timeout": m.RequestTimeout, "throttle_timeout": m.ThrottleTimeout,
		"max_concurrent_requests": m.MaxConcurrentRequests,
	}
}

// settings is the configuration after environment fallbacks, defaults and
// file reads: plain values, no Terraform types.
type settings struct {
	tenantID                  string
	clientID                  string
	clientSecret              string
	clientCertificate         []byte
	clientCertificatePassword string
	useOIDC                   bool
	oidcToken                 string
	oidcTokenFilePath         string
	oidcRequestURL            string
	oidcRequestToken          string
	oidcServiceConnectionID   string
	tfcWorkloadIdentityTag    string
	tfcWorkloadIdentityToken  string
	spaceliftOIDCToken        string
	env0OIDCToken             string
	useAKSWorkloadIdentity    bool
	federatedTokenFile        string
	useMSI                    bool
	msiEndpoint               string
	useCLI                    bool
	environment               string
	apiVersion                string
	graphEndpoint             string
	authorityHost             string
	disableInstanceDiscovery  bool
	maxRetries                int32
	maxConcurrentRequests     int
	requestTimeout            time.Duration
	throttleTimeout           time.Duration
}

// secrets returns every secret value, so logs can mask them.
func (s *settings) secrets() []string {
	return nonEmpty(s.clientSecret, s.clientCertificatePassword, s.oidcToken, s.oidcRequestToken, string(s.clientCertificate),
		s.tfcWorkloadIdentityToken, s.spaceliftOIDCToken, s.env0OIDCToken)
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
			p.configuredDeferral.Store(resp.Deferred)
			return
		}
		for _, name := range unknown {
			resp.Diagnostics.AddAttributeError(path.Root(name), "Unknown Provider Configuration Value",
				fmt.Sprintf("The value of %s depends on something known only after apply, but the provider must sign in to read data sources while planning. "+
					"Set it to a value known at plan time, or apply the resources it depends on first (for example with -target).", name))
		}
		return
	}

	s, diags := resolveSettings(&config)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	secrets := s.secrets()
	ctx = tflog.MaskAllFieldValuesStrings(ctx, secrets...)
	if !environments[s.environment].tiDocumented {
		resp.Diagnostics.AddAttributeWarning(path.Root("environment"), "Threat Intelligence API Not Documented In This Cloud",
			fmt.Sprintf("The environment is %q. Microsoft documents the Defender Threat Intelligence API in the global (public) cloud only, "+
				"so reads may fail with 404 or 403 here.", s.environment))
	}

	// One transport for Entra ID and Graph: one connection pool, and network
	// failures explained alike on both.
	transport := graph.ExplainNetworkErrors(graph.NewTransport(p.rootCAs))
	credential, methods, err := s.credential(&http.Client{Transport: transport})
	if err != nil {
		resp.Diagnostics.AddError("Unable To Set Up Authentication", err.Error())
		return
	}

	// Sign in now, not at the first read. Terraform reads no data source of
	// a provider whose Configure failed, so a wrong secret or an untrusted
	// certificate is reported once for this provider configuration, instead
	// of once by every data source that would have asked for a token. The
	// alternative, remembering the failure in the client, still leaves one
	// error per data source, only shorter. The token is handed to the client,
	// so a run still signs in once.
	scope, err := graph.ScopeFor(s.graphEndpoint)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("graph_endpoint"), "Invalid Endpoint", fmt.Sprintf("The Graph endpoint is not valid: %s.", err))
		return
	}
	signInCtx, network := graph.RecordNetworkErrors(ctx)
	token, err := credential.GetToken(signInCtx, policy.TokenRequestOptions{Scopes: []string{scope}, EnableCAE: true})
	if err != nil {
		addSignInError(&resp.Diagnostics, &s, methods, err, network.Last())
		return
	}
	credential = &signedInCredential{inner: credential, scopes: []string{scope}, token: &token}

	client, err := graph.NewClient(graph.Options{
		Endpoint:   s.graphEndpoint,
		APIVersion: s.apiVersion,
		Credential: credential,
		Scope:      scope,
		Retry: graph.RetryOptions{
			MaxRetries:      s.maxRetries,
			TryTimeout:      s.requestTimeout,
			ThrottleTimeout: s.throttleTimeout,
		},
		Transport:             transport,
		MaxConcurrentRequests: s.maxConcurrentRequests,
		UserAgent:             fmt.Sprintf("terraform-provider-defender/%s terraform/%s", p.version, req.TerraformVersion),
		Log:                   maskedTflog(secrets),
	})
	if err != nil {
		resp.Diagnostics.AddError("Unable To Create Graph Client", fmt.Sprintf("Building the Microsoft Graph client failed: %s.", err))
		return
	}
	tflog.Debug(ctx, "Configured the Graph client", map[string]any{
		"graph_endpoint":         s.graphEndpoint,
		"authority_host":         s.authorityHost,
		"api_version":            s.apiVersion,
		"tenant_id":              s.tenantID,
		"client_id":              s.clientID,
		"authentication_methods": strings.Join(methods, ", "),
	})
	resp.DataSourceData = client
	p.configuredClient.Store(client)
}

// addSignInError reports a failed sign-in in Configure. When nothing but the
// default Azure CLI was tried, the user most likely configured nothing at
// all, so the error says so and lists every method. When the failure is
// the network's on the way to Entra ID, it names authority_host.
func addSignInError(diags *diag.Diagnostics, s *settings, methods []string, err error, network *graph.NetworkError) {
	const summary = "Unable To Sign In To Entra ID"
	if len(methods) == 1 && methods[0] == azureCLIMethod {
		diags.AddError(summary, fmt.Sprintf("No sign-in method is configured, in the provider block or in ARM_* environment variables, "+
			"so the provider tried its fallback, the Azure CLI (az), which failed: %s. %s", strings.TrimSuffix(signInReason(err), "."), signInMethodsGuide()))
		return
	}
	detail := "The provider could not get a token for Microsoft Graph, so it cannot read any data source. " + signInDetail(err)
	// The chain of methods keeps only the text of each failure, so the
	// network failure recorded on the way counts when that text holds it.
	authority, _ := url.Parse(s.authorityHost)
	if network != nil && strings.Contains(err.Error(), network.Error()) && authority != nil && strings.EqualFold(network.Host, authority.Hostname()) {
		diags.AddAttributeError(path.Root("authority_host"), summary,
			fmt.Sprintf("%s.\nSign-in requests go to the Entra ID authority %s, which authority_host (or ARM_AUTHORITY_HOST) or environment sets.",
				strings.TrimSuffix(detail, "."), s.authorityHost))
		return
	}
	diags.AddError(summary, detail)
}

// signInReason is why the one method tried failed, without its name.
func signInReason(err error) string {
	var signIn *signInError
	if errors.As(err, &signIn) {
		return signIn.summary
	}
	return summarizeSignInError(err)
}

// maskedTflog routes the client's per-request log lines into Terraform's
// log, masking every secret should one ever appear in a field.
func maskedTflog(secrets []string) graph.LogFunc {
	return func(ctx context.Context, msg string, fields map[string]any) {
		tflog.Debug(tflog.MaskAllFieldValuesStrings(ctx, secrets...), msg, fields)
	}
}

func unknownAttributes(config *providerModel) []string {
	var names []string
	for name, value := range config.attributes() {
		if value.IsUnknown() {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// resolveSettings applies environment fallbacks and defaults and reads the
// files the configuration names. A value in the provider block always wins
// over the environment. Problems are reported on the attribute at fault.
func resolveSettings(config *providerModel) (settings, diag.Diagnostics) {
	var diags diag.Diagnostics
	s := settings{
		tenantID:                  stringOrEnv(config.TenantID, "ARM_TENANT_ID", "AZURE_TENANT_ID"),
		oidcToken:                 stringOrEnv(config.OIDCToken, "ARM_OIDC_TOKEN"),
		oidcTokenFilePath:         stringOrEnv(config.OIDCTokenFilePath, "ARM_OIDC_TOKEN_FILE_PATH"),
		oidcRequestURL:            stringOrEnv(config.OIDCRequestURL, "ARM_OIDC_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_URL"),
		oidcRequestToken:          stringOrEnv(config.OIDCRequestToken, "ARM_OIDC_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN"),
		oidcServiceConnectionID:   stringOrEnv(config.OIDCAzureServiceConnectionID, "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID", "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID"),
		federatedTokenFile:        os.Getenv("AZURE_FEDERATED_TOKEN_FILE"),
		msiEndpoint:               stringOrEnv(config.MSIEndpoint, "ARM_MSI_ENDPOINT"),
		environment:               firstNonEmpty(stringOrEnv(config.Environment, "ARM_ENVIRONMENT"), defaultEnvironment),
		apiVersion:                firstNonEmpty(config.APIVersion.ValueString(), graph.DefaultAPIVersion),
		clientCertificatePassword: stringOrEnv(config.ClientCertificatePassword, "ARM_CLIENT_CERTIFICATE_PASSWORD"),
		maxRetries:                graph.DefaultMaxRetries,
		requestTimeout:            defaultRequestTimeout,
		throttleTimeout:           graph.DefaultThrottleTimeout,
	}
	s.useOIDC = boolOrEnv(config.UseOIDC, "ARM_USE_OIDC", false, "use_oidc", &diags)
	s.useAKSWorkloadIdentity = boolOrEnv(config.UseAKSWorkloadIdentity, "ARM_USE_AKS_WORKLOAD_IDENTITY", false, "use_aks_workload_identity", &diags)
	s.useMSI = boolOrEnv(config.UseMSI, "ARM_USE_MSI", false, "use_msi", &diags)
	s.useCLI = boolOrEnv(config.UseCLI, "ARM_USE_CLI", true, "use_cli", &diags)
	s.disableInstanceDiscovery = boolOrEnv(config.DisableInstanceDiscovery, "ARM_DISABLE_INSTANCE_DISCOVERY", false, "disable_instance_discovery", &diags)

	cloud, ok := environments[s.environment]
	if !ok {
		diags.AddAttributeError(path.Root("environment"), "Invalid Environment",
			fmt.Sprintf("The environment %q (from environment or ARM_ENVIRONMENT) is not one of %s.", s.environment, strings.Join(environmentNames(), ", ")))
		return s, diags
	}
	s.graphEndpoint = firstNonEmpty(stringOrEnv(config.GraphEndpoint, "ARM_GRAPH_ENDPOINT"), cloud.graph)
	s.authorityHost = firstNonEmpty(stringOrEnv(config.AuthorityHost, "ARM_AUTHORITY_HOST", "AZURE_AUTHORITY_HOST"), cloud.authority)
	checkEndpoint(&diags, "graph_endpoint", "ARM_GRAPH_ENDPOINT", s.graphEndpoint)
	if err := checkAuthorityHost(s.authorityHost); err != nil {
		diags.AddAttributeError(path.Root("authority_host"), "Invalid Endpoint",
			fmt.Sprintf("The value of authority_host (or ARM_AUTHORITY_HOST) is not valid: %s.", err))
	}

	s.clientID = resolveClientID(config, &diags)
	s.clientSecret = resolveClientSecret(config, &diags)
	resolvePlatformTokens(&s, config, &diags)
	s.clientCertificate = resolveClientCertificate(config, &diags)

	if !config.MaxRetries.IsNull() {
		s.maxRetries = int32(config.MaxRetries.ValueInt64())
		if s.maxRetries == 0 {
			s.maxRetries = -1 // azcore reads 0 as "default" and a negative value as "no retries"
		}
	}
	// Null leaves the client's default.
	s.maxConcurrentRequests = int(config.MaxConcurrentRequests.ValueInt64())
	parseDuration(&diags, "request_timeout", config.RequestTimeout, &s.requestTimeout)
	parseDuration(&diags, "throttle_timeout", config.ThrottleTimeout, &s.throttleTimeout)
	return s, diags
}

// parseDuration sets *into from a configured duration, leaving the default
// when it is null. The schema validates it at plan time; this catches a
// value only known at apply.
func parseDuration(diags *diag.Diagnostics, attribute string, value types.String, into *time.Duration) {
	if value.IsNull() || value.IsUnknown() {
		return
	}
	d, err := time.ParseDuration(value.ValueString())
	if err != nil || d <= 0 {
		diags.AddAttributeError(path.Root(attribute), "Invalid Duration",
			fmt.Sprintf("%s %q is not a positive duration such as 30s.", attribute, value.ValueString()))
		return
	}
	*into = d
}

func checkEndpoint(diags *diag.Diagnostics, attribute, envName, value string) {
	if err := graph.ValidateEndpoint(value); err != nil {
		diags.AddAttributeError(path.Root(attribute), "Invalid Endpoint",
			fmt.Sprintf("The value of %s (or %s) is not valid: %s.", attribute, envName, err))
	}
}

// resolveClientID takes the client ID from client_id or the file named by
// client_id_file_path, as HCP Terraform's Azure dynamic credentials hand it
// over; when both are given they must agree, for the same reason as secrets.
func resolveClientID(config *providerModel, diags *diag.Diagnostics) string {
	clientID := stringOrEnv(config.ClientID, "ARM_CLIENT_ID", "AZURE_CLIENT_ID")
	filePath := stringOrEnv(config.ClientIDFilePath, "ARM_CLIENT_ID_FILE_PATH")
	if filePath == "" {
		return clientID
	}
	content, err := os.ReadFile(filePath)
	if err != nil {
		diags.AddAttributeError(path.Root("client_id_file_path"), "Unreadable Client ID File",
			fmt.Sprintf("Reading the client ID from %q failed: %s.", filePath, err))
		return ""
	}
	fromFile := strings.TrimSpace(string(content))
	if fromFile == "" {
		diags.AddAttributeError(path.Root("client_id_file_path"), "Empty Client ID File",
			fmt.Sprintf("The file %q named as the client ID file is empty.", filePath))
		return ""
	}
	// Client IDs are GUIDs, which Entra ID reads in either case.
	if clientID != "" && !strings.EqualFold(clientID, fromFile) {
		diags.AddAttributeError(path.Root("client_id_file_path"), "Conflicting Client IDs",
			fmt.Sprintf("client_id (or ARM_CLIENT_ID, AZURE_CLIENT_ID) is %q, but the file named by client_id_file_path (or ARM_CLIENT_ID_FILE_PATH) holds %q. Set only one of them.",
				clientID, fromFile))
		return ""
	}
	return fromFile
}

// resolveClientSecret takes the secret from client_secret or the file named
// by client_secret_file_path; when both are given they must agree, since a
// silent choice between two different secrets is a misconfiguration waiting
// to surface as an Entra error.
func resolveClientSecret(config *providerModel, diags *diag.Diagnostics) string {
	secret := stringOrEnv(config.ClientSecret, "ARM_CLIENT_SECRET")
	filePath := stringOrEnv(config.ClientSecretFilePath, "ARM_CLIENT_SECRET_FILE_PATH")
	if filePath == "" {
		return secret
	}
	content, err := os.ReadFile(filePath)
	if err != nil {
		diags.AddAttributeError(path.Root("client_secret_file_path"), "Unreadable Client Secret File",
			fmt.Sprintf("Reading the client secret from %q failed: %s.", filePath, err))
		return ""
	}
	fromFile := strings.TrimSpace(string(content))
	if fromFile == "" {
		diags.AddAttributeError(path.Root("client_secret_file_path"), "Empty Client Secret File",
			fmt.Sprintf("The file %q named as the client secret file is empty.", filePath))
		return ""
	}
	if secret != "" && secret != fromFile {
		diags.AddAttributeError(path.Root("client_secret_file_path"), "Conflicting Client Secrets",
			"client_secret (or ARM_CLIENT_SECRET) and the file named by client_secret_file_path (or ARM_CLIENT_SECRET_FILE_PATH) hold different secrets. Set only one of them.")
		return ""
	}
	return fromFile
}

// resolveClientCertificate returns the certificate bytes (PKCS#12 or PEM)
// from client_certificate (base64) or client_certificate_path.
func resolveClientCertificate(config *providerModel, diags *diag.Diagnostics) []byte {
	encoded := stringOrEnv(config.ClientCertificate, "ARM_CLIENT_CERTIFICATE")
	filePath := stringOrEnv(config.ClientCertificatePath, "ARM_CLIENT_CERTIFICATE_PATH")
	switch {
	case encoded != "" && filePath != "":
		diags.AddAttributeError(path.Root("client_certificate"), "Conflicting Client Certificates",
			"Both client_certificate (or ARM_CLIENT_CERTIFICATE) and client_certificate_path (or ARM_CLIENT_CERTIFICATE_PATH) are set. Set only one of them.")
		return nil
	case encoded != "":
		decoded, err := base64.StdEncoding.DecodeString(strings.TrimSpace(encoded))
		if err != nil {
			diags.AddAttributeError(path.Root("client_certificate"), "Invalid Client Certificate",
				fmt.Sprintf("client_certificate (or ARM_CLIENT_CERTIFICATE) must be base64-encoded PKCS#12 or PEM: %s.", err))
			return nil
		}
		return decoded
	case filePath != "":
		content, err := os.ReadFile(filePath)
		if err != nil {
			diags.AddAttributeError(path.Root("client_certificate_path"), "Unreadable Client Certificate",
				fmt.Sprintf("Reading the client certificate from %q failed: %s.", filePath, err))
			return nil
		}
		return content
	}
	return nil
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

func boolOrEnv(value types.Bool, envName string, fallback bool, attribute string, diags *diag.Diagnostics) bool {
	if !value.IsNull() {
		return value.ValueBool()
	}
	raw := os.Getenv(envName)
	if raw == "" {
		return fallback
	}
	parsed, err := strconv.ParseBool(raw)
	if err != nil {
		diags.AddAttributeError(path.Root(attribute), "Invalid Environment Variable",
			fmt.Sprintf("The environment variable %s, the fallback of %s, is %q, which is not true or false.", envName, attribute, raw))
		return fallback
	}
	return parsed
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
