package provider

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

// The audience Entra ID expects on a federated token.
const federatedTokenAudience = "api://AzureADTokenExchange"

// credential builds the chain of sign-in methods the settings configure, in
// the documented order: client certificate, client secret, OIDC, AKS
// workload identity, managed identity, Azure CLI. The chain moves on only
// when the SDK reports a method unavailable (no Azure CLI installed, a VM
// without a managed identity); a method that fails, such as a wrong secret,
// stops it, so a fallback never hides the real problem.
func (s *settings) credential(httpClient *http.Client) (azcore.TokenCredential, []string, error) {
	clientOptions := azcore.ClientOptions{
		Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: s.authorityHost},
		Transport: httpClient,
		Retry:     policy.RetryOptions{MaxRetries: s.maxRetries, TryTimeout: s.requestTimeout},
	}
	var sources []azcore.TokenCredential
	var names []string
	add := func(name string, credential azcore.TokenCredential, err error) error {
		if err != nil {
			return fmt.Errorf("setting up %s sign-in failed: %w", name, err)
		}
		sources = append(sources, &namedCredential{name: name, inner: credential})
		names = append(names, name)
		return nil
	}

	if len(s.clientCertificate) > 0 {
		if err := s.requireTenantAndClient("a client certificate"); err != nil {
			return nil, nil, err
		}
		certs, key, err := parseClientCertificate(s.clientCertificate, s.clientCertificatePassword)
		if err != nil {
			return nil, nil, fmt.Errorf("the client certificate could not be read (it must hold a certificate and its private key, as PKCS#12 or PEM, with client_certificate_password if it has one): %w", err)
		}
		credential, err := azidentity.NewClientCertificateCredential(s.tenantID, s.clientID, certs, key, &azidentity.ClientCertificateCredentialOptions{
			ClientOptions: clientOptions, DisableInstanceDiscovery: s.disableInstanceDiscovery,
		})
		if err := add("client certificate", credential, err); err != nil {
			return nil, nil, err
		}
	}
	if s.clientSecret != "" {
		if err := s.requireTenantAndClient("a client secret"); err != nil {
			return nil, nil, err
		}
		credential, err := azidentity.NewClientSecretCredential(s.tenantID, s.clientID, s.clientSecret, &azidentity.ClientSecretCredentialOptions{
			ClientOptions: clientOptions, DisableInstanceDiscovery: s.disableInstanceDiscovery,
		})
		if err := add("client secret", credential, err); err != nil {
			return nil, nil, err
		}
	}
	if s.useOIDC {
		name, credential, err := s.oidcCredential(clientOptions, httpClient)
		if err != nil {
			return nil, nil, err
		}
		if err := add(name, credential, nil); err != nil {
			return nil, nil, err
		}
	}
	if s.useAKSWorkloadIdentity {
		credential, err := azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{
			ClientOptions: clientOptions, ClientID: s.clientID, TenantID: s.tenantID,
			TokenFilePath: s.federatedTokenFile, DisableInstanceDiscovery: s.disableInstanceDiscovery,
		})
		if err := add("AKS workload identity", credential, err); err != nil {
			return nil, nil, err
		}
	}
	if s.useMSI {
		credential, err := s.managedIdentityCredential(clientOptions)
		if err := add("managed identity", credential, err); err != nil {
			return nil, nil, err
		}
	}
	if s.useCLI {
		credential, err := azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: s.tenantID})
		if err := add(azureCLIMethod, credential, err); err != nil {
			return nil, nil, err
		}
	}

	switch len(sources) {
	case 0:
		return nil, nil, errors.New("No sign-in method is configured, and use_cli (or ARM_USE_CLI) turns off the Azure CLI. " + signInMethodsGuide())
	case 1:
		return sources[0], names, nil
	}
	chain, err := azidentity.NewChainedTokenCredential(sources, nil)
	if err != nil {
		return nil, nil, err
	}
	return chain, names, nil
}

// azureCLIMethod names the Azure CLI in the chain; alone in it, it means
// nothing else is configured, since use_cli is on by default.
const azureCLIMethod = "Azure CLI"

// authenticationGuide names the guide as the provider's documentation
// publishes it, wherever that documentation is read.
const authenticationGuide = "The Authentication guide of the provider's documentation (guides/authentication)"

// signInMethods says what turns each method on, in the order of the chain.
// Every message that tells a user how to configure a method is built from
// it, so they cannot drift apart.
var signInMethods = []struct{ name, settings string }{
	{"client certificate", "tenant_id, client_id, and client_certificate or client_certificate_path, with client_certificate_password if it has one " +
		"(ARM_TENANT_ID, ARM_CLIENT_ID, ARM_CLIENT_CERTIFICATE or ARM_CLIENT_CERTIFICATE_PATH, ARM_CLIENT_CERTIFICATE_PASSWORD)"},
	{"client secret", "tenant_id, client_id, and client_secret or client_secret_file_path " +
		"(ARM_TENANT_ID, ARM_CLIENT_ID, ARM_CLIENT_SECRET or ARM_CLIENT_SECRET_FILE_PATH)"},
	{"OIDC (workload identity federation)", "use_oidc = true with tenant_id, client_id or client_id_file_path, and one token source: oidc_token, oidc_token_file_path, " +
		"oidc_request_url with oidc_request_token, or oidc_azure_service_connection_id (ARM_USE_OIDC, ARM_CLIENT_ID_FILE_PATH, ARM_OIDC_TOKEN, ARM_OIDC_TOKEN_FILE_PATH, " +
		"ARM_OIDC_REQUEST_URL and ARM_OIDC_REQUEST_TOKEN, ARM_OIDC_AZURE_SERVICE_CONNECTION_ID; GitHub Actions' ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN are read too), " +
		"or the token HCP Terraform (TFC_WORKLOAD_IDENTITY_TOKEN, or the one tfc_workload_identity_tag names), Spacelift (SPACELIFT_OIDC_TOKEN) or env0 (ENV0_OIDC_TOKEN) provides"},
	{"AKS workload identity", "use_aks_workload_identity = true (ARM_USE_AKS_WORKLOAD_IDENTITY), with the AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID " +
		"and AZURE_TENANT_ID that the workload identity webhook injects"},
	{"managed identity", "use_msi = true, with client_id for a user-assigned identity and msi_endpoint when the host's is not the default " +
		"(ARM_USE_MSI, ARM_CLIENT_ID, ARM_MSI_ENDPOINT)"},
	{azureCLIMethod, "use_cli, on by default (ARM_USE_CLI), after `az login` on this machine"},
}

// signInMethodsGuide lists every method with its attributes and variables,
// and points to the authentication guide.
func signInMethodsGuide() string {
	var b strings.Builder
	b.WriteString("Configure one of these sign-in methods, with attributes in the provider block or with the environment variables in brackets:")
	for _, m := range signInMethods {
		fmt.Fprintf(&b, "\n- %s: %s", m.name, m.settings)
	}
	fmt.Fprintf(&b, "\n%s explains each one.", authenticationGuide)
	return b.String()
}

// parseClientCertificate reads a certificate and its key from PEM or
// PKCS#12. PKCS#12 is decoded here rather than by azidentity, whose decoder
// lacks the AES and SHA-256 algorithms OpenSSL 3 uses by default, so files
// exported with today's tools would otherwise be refused.
func parseClientCertificate(data []byte, password string) ([]*x509.Certificate, crypto.PrivateKey, error) {
	if bytes.Contains(data, []byte("-----BEGIN")) {
		return azidentity.ParseCertificates(data, nil)
	}
	key, leaf, chain, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		return nil, nil, err
	}
	return append([]*x509.Certificate{leaf}, chain...), key, nil
}

func (s *settings) requireTenantAndClient(method string) error {
	var missing []string
	if s.tenantID == "" {
		missing = append(missing, "tenant_id (ARM_TENANT_ID)")
	}
	if s.clientID == "" {
		missing = append(missing, "client_id or client_id_file_path (ARM_CLIENT_ID or ARM_CLIENT_ID_FILE_PATH)")
	}
	if len(missing) > 0 {
		return fmt.Errorf("signing in with %s needs %s", method, strings.Join(missing, " and "))
	}
	return nil
}

// oidcCredential picks the OIDC token source, the first of: an Azure
// Pipelines service connection, a token, a token file, a request URL (GitHub
// Actions), then the token a CI platform provides on its own: HCP Terraform's,
// Spacelift's (its variable, then its file) and env0's. What is configured
// comes before what a platform provides, so a token given on purpose is never
// overridden by one that merely happens to be in the environment.
func (s *settings) oidcCredential(clientOptions azcore.ClientOptions, httpClient *http.Client) (string, azcore.TokenCredential, error) {
	if err := s.requireTenantAndClient("OIDC"); err != nil {
		return "", nil, err
	}
	if s.oidcServiceConnectionID != "" {
		systemAccessToken := os.Getenv("SYSTEM_ACCESSTOKEN")
		if systemAccessToken == "" {
			return "", nil, errors.New("signing in with an Azure Pipelines service connection needs the pipeline's SYSTEM_ACCESSTOKEN in the environment: " +
				"map it in the task with `env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)`")
		}
		credential, err := azidentity.NewAzurePipelinesCredential(s.tenantID, s.clientID, s.oidcServiceConnectionID, systemAccessToken,
			&azidentity.AzurePipelinesCredentialOptions{ClientOptions: clientOptions, DisableInstanceDiscovery: s.disableInstanceDiscovery})
		if err != nil {
			return "", nil, fmt.Errorf("setting up Azure Pipelines OIDC sign-in failed: %w", err)
		}
		return "OIDC (Azure Pipelines service connection)", credential, nil
	}

	var name string
	var getAssertion func(context.Context) (string, error)
	switch {
	case s.oidcToken != "":
		name = "OIDC token"
		getAssertion = tokenAssertion(s.oidcToken)
	case s.oidcTokenFilePath != "":
		name = "OIDC token file"
		getAssertion = tokenFileAssertion(s.oidcTokenFilePath)
	case s.oidcRequestURL != "" && s.oidcRequestToken != "":
		name = "OIDC request URL"
		requestURL, requestToken := s.oidcRequestURL, s.oidcRequestToken
		getAssertion = func(ctx context.Context) (string, error) {
			return requestIDToken(ctx, httpClient, requestURL, requestToken)
		}
	case s.tfcWorkloadIdentityTag != "":
		// A tag names one token on purpose: without it, falling back to the
		// untagged token or another platform's would sign in as an identity
		// the configuration did not ask for.
		variable := tfcWorkloadIdentityTokenVariable(s.tfcWorkloadIdentityTag)
		if s.tfcWorkloadIdentityToken == "" {
			return "", nil, fmt.Errorf("tfc_workload_identity_tag (or ARM_TFC_WORKLOAD_IDENTITY_TAG) is %q, so the provider signs in with the token "+
				"HCP Terraform puts in %s, but that variable is not set in this run. HCP Terraform sets it when the workspace has the variable %s_%s, "+
				"set to the audience of the application's federated credential (api://AzureADTokenExchange by default); "+
				"self-hosted agents need version 1.12.0 or later for tagged tokens",
				s.tfcWorkloadIdentityTag, variable, tfcWorkloadIdentityAudienceVariable, s.tfcWorkloadIdentityTag)
		}
		name = "HCP Terraform workload identity token (" + variable + ")"
		getAssertion = tokenAssertion(s.tfcWorkloadIdentityToken)
	case s.tfcWorkloadIdentityToken != "":
		name = "HCP Terraform workload identity token (" + tfcWorkloadIdentityTokenVariable("") + ")"
		getAssertion = tokenAssertion(s.tfcWorkloadIdentityToken)
	case s.spaceliftOIDCToken != "":
		name = "Spacelift OIDC token (SPACELIFT_OIDC_TOKEN)"
		getAssertion = tokenAssertion(s.spaceliftOIDCToken)
	case isFile(spaceliftOIDCTokenFile):
		name = "Spacelift OIDC token file (" + spaceliftOIDCTokenFile + ")"
		getAssertion = tokenFileAssertion(spaceliftOIDCTokenFile)
	case s.env0OIDCToken != "":
		name = "env0 OIDC token (ENV0_OIDC_TOKEN)"
		getAssertion = tokenAssertion(s.env0OIDCToken)
	default:
		return "", nil, errors.New("use_oidc is true but no OIDC token source is configured: set oidc_token, oidc_token_file_path, " +
			"oidc_request_url with oidc_request_token (GitHub Actions provides ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN when the job has `permissions: id-token: write`), " +
			"or oidc_azure_service_connection_id, or run where the platform provides a token: HCP Terraform or Terraform Enterprise " +
			"(TFC_WORKLOAD_IDENTITY_TOKEN, when the workspace sets TFC_WORKLOAD_IDENTITY_AUDIENCE), Spacelift (SPACELIFT_OIDC_TOKEN or " +
			spaceliftOIDCTokenFile + ") or env0 (ENV0_OIDC_TOKEN)")
	}
	credential, err := azidentity.NewClientAssertionCredential(s.tenantID, s.clientID, getAssertion,
		&azidentity.ClientAssertionCredentialOptions{ClientOptions: clientOptions, DisableInstanceDiscovery: s.disableInstanceDiscovery})
	if err != nil {
		return "", nil, fmt.Errorf("setting up %s sign-in failed: %w", name, err)
	}
	return name, credential, nil
}

// tokenAssertion hands Entra ID a token given once, inline or in a variable.
func tokenAssertion(token string) func(context.Context) (string, error) {
	return func(context.Context) (string, error) { return token, nil }
}

// tokenFileAssertion reads the token from a file on every token request,
// not once: whatever writes the file renews the token in it, and a run can
// outlast the token the file held when it started.
func tokenFileAssertion(filePath string) func(context.Context) (string, error) {
	return func(context.Context) (string, error) {
		content, err := os.ReadFile(filePath)
		if err != nil {
			return "", fmt.Errorf("reading the OIDC token file: %w", err)
		}
		return strings.TrimSpace(string(content)), nil
	}
}

func isFile(name string) bool {
	info, err := os.Stat(name)
	return err == nil && info.Mode().IsRegular()
}

// What CI platforms provide to a run, by their own names.
const (
	tfcWorkloadIdentityTokenPrefix      = "TFC_WORKLOAD_IDENTITY_TOKEN"
	tfcWorkloadIdentityAudienceVariable = "TFC_WORKLOAD_IDENTITY_AUDIENCE"
)

// spaceliftOIDCTokenFile is where Spacelift writes a run's OIDC token. A
// variable, not a constant, so tests can point it elsewhere.
var spaceliftOIDCTokenFile = "/mnt/workspace/spacelift.oidc"

// workloadIdentityTag is what HCP Terraform accepts as a tag.
var workloadIdentityTag = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// tfcWorkloadIdentityTokenVariable names the variable in which HCP Terraform
// puts the workload identity token of a tag, or the untagged one.
func tfcWorkloadIdentityTokenVariable(tag string) string {
	if tag == "" {
		return tfcWorkloadIdentityTokenPrefix
	}
	return tfcWorkloadIdentityTokenPrefix + "_" + tag
}

// resolvePlatformTokens reads the tokens CI platforms put in the environment
// of a run, with the tag that chooses among HCP Terraform's; oidcCredential
// decides which one, if any, is used. They are read here, with the rest of
// the environment, so that logs mask them like every other secret.
func resolvePlatformTokens(s *settings, config *providerModel, diags *diag.Diagnostics) {
	s.tfcWorkloadIdentityTag = stringOrEnv(config.TFCWorkloadIdentityTag, "ARM_TFC_WORKLOAD_IDENTITY_TAG")
	if s.tfcWorkloadIdentityTag != "" && !workloadIdentityTag.MatchString(s.tfcWorkloadIdentityTag) {
		diags.AddAttributeError(path.Root("tfc_workload_identity_tag"), "Invalid Workload Identity Tag",
			fmt.Sprintf("tfc_workload_identity_tag (or ARM_TFC_WORKLOAD_IDENTITY_TAG) is %q, but an HCP Terraform tag holds only letters, digits and underscores.",
				s.tfcWorkloadIdentityTag))
		return
	}
	s.tfcWorkloadIdentityToken = os.Getenv(tfcWorkloadIdentityTokenVariable(s.tfcWorkloadIdentityTag))
	s.spaceliftOIDCToken = os.Getenv("SPACELIFT_OIDC_TOKEN")
	s.env0OIDCToken = os.Getenv("ENV0_OIDC_TOKEN")
}

// requestIDToken asks a CI system's token service (GitHub Actions' format)
// for an ID token with Entra ID's federation audience.
func requestIDToken(ctx context.Context, httpClient *http.Client, requestURL, requestToken string) (string, error) {
	u, err := url.Parse(requestURL)
	if err != nil {
		return "", fmt.Errorf("oidc_request_url is not a URL: %w", err)
	}
	query := u.Query()
	query.Set("audience", federatedTokenAudience)
	u.RawQuery = query.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+requestToken)
	req.Header.Set("Accept", "application/json")
	resp, err := httpClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("requesting an OIDC token from %s: %w", u.Redacted(), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("reading the OIDC token response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("the OIDC token request to %s://%s%s answered HTTP %d", u.Scheme, u.Host, u.Path, resp.StatusCode)
	}
	var answer struct {
		Value string `json:"value"`
	}
	if err := json.Unmarshal(body, &answer); err != nil || answer.Value == "" {
		return "", fmt.Errorf("the OIDC token response from %s://%s%s holds no token", u.Scheme, u.Host, u.Path)
	}
	return answer.Value, nil
}

// managedIdentityCredential signs in as the host's managed identity. The
// SDK finds the host's token endpoint through environment variables only, so
// msi_endpoint is applied by overriding IDENTITY_ENDPOINT for this process;
// the host must still provide the secret that goes with it (IDENTITY_HEADER
// on App Service, Functions and Container Apps, IMDS_ENDPOINT on Azure Arc).
func (s *settings) managedIdentityCredential(clientOptions azcore.ClientOptions) (azcore.TokenCredential, error) {
	if s.msiEndpoint != "" {
		if os.Getenv("IDENTITY_HEADER") == "" && os.Getenv("IMDS_ENDPOINT") == "" {
			return nil, errors.New("msi_endpoint is set, but the host provides neither IDENTITY_HEADER nor IMDS_ENDPOINT, " +
				"one of which a managed identity endpoint needs; on a VM, leave msi_endpoint unset to use the instance metadata service")
		}
		if err := os.Setenv("IDENTITY_ENDPOINT", s.msiEndpoint); err != nil {
			return nil, err
		}
	}
	options := &azidentity.ManagedIdentityCredentialOptions{ClientOptions: clientOptions}
	if s.clientID != "" {
		options.ID = azidentity.ClientID(s.clientID)
	}
	return azidentity.NewManagedIdentityCredential(options)
}

// namedCredential labels a sign-in method and keeps its failure to one line,
// so an error from a chain of methods lists each one and why it failed.
type namedCredential struct {
	name  string
	inner azcore.TokenCredential
}

func (c *namedCredential) GetToken(ctx context.Context, options policy.TokenRequestOptions) (azcore.AccessToken, error) {
	// MSAL keeps only the text of a request that failed, wrapped in lines of
	// its own ("unable to resolve an endpoint: server response error:\n
	// ..."), so the transport's explained error is recorded on the way and
	// becomes the summary when it is what the sign-in died of.
	recordingCtx, recorder := graph.RecordNetworkErrors(ctx)
	token, err := c.inner.GetToken(recordingCtx, options)
	if err != nil {
		signIn := &signInError{method: c.name, summary: summarizeSignInError(err), err: err}
		if network := recorder.Last(); network != nil && strings.Contains(err.Error(), network.Error()) {
			signIn.summary, signIn.network = network.Error(), network
		}
		return token, signIn
	}
	return token, nil
}

// signInError unwraps to azidentity's error, so the chain still tells an
// unavailable method from a failed one, and to the network failure behind
// it, if any, so the provider can name the attribute at fault.
type signInError struct {
	method  string
	summary string
	err     error
	network *graph.NetworkError
}

func (e *signInError) Error() string { return e.method + ": " + e.summary }
func (e *signInError) Unwrap() []error {
	if e.network == nil {
		return []error{e.err}
	}
	return []error{e.err, e.network}
}

// signedInCredential hands out, once, the token the provider got when it
// signed in during Configure, then defers to the chain. The Graph client's
// bearer-token policy caches what it is given, so a run still asks Entra ID
// (or runs `az`, which has no cache of its own) only once.
type signedInCredential struct {
	inner  azcore.TokenCredential
	scopes []string
	mu     sync.Mutex
	token  *azcore.AccessToken
}

func (c *signedInCredential) GetToken(ctx context.Context, options policy.TokenRequestOptions) (azcore.AccessToken, error) {
	c.mu.Lock()
	token := c.token
	// A claims challenge or another scope or tenant needs a fresh token.
	if token != nil && options.Claims == "" && options.TenantID == "" && slices.Equal(options.Scopes, c.scopes) {
		c.token = nil
		c.mu.Unlock()
		return *token, nil
	}
	c.mu.Unlock()
	return c.inner.GetToken(ctx, options)
}

var (
	aadstsMessage  = regexp.MustCompile(`AADSTS\d+:[^"\r\n\\]*`)
	credentialName = regexp.MustCompile(`^[A-Za-z]+Credential: `)
)

// summarizeSignInError keeps what a user can act on: Entra's AADSTS message
// without its trace identifiers, or the first line of anything else.
func summarizeSignInError(err error) string {
	text := err.Error()
	if m := aadstsMessage.FindString(text); m != "" {
		if i := strings.Index(m, " Trace ID:"); i > 0 {
			m = m[:i]
		}
		return strings.TrimSpace(m)
	}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(credentialName.ReplaceAllString(strings.TrimSpace(line), ""))
		if line != "" && !strings.HasPrefix(line, "-----") {
			if len(line) > 300 {
				line = line[:300] + "…"
			}
			return line
		}
	}
	return text
}
