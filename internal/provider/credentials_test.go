package provider

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
)

// Each sign-in method is proven end to end: the provider gets a token from
// the emulator's Entra ID (or managed identity, CI token service, stub CLI)
// and reads a host with it. No case inspects configuration alone.

// readsWith runs one read of 8.8.8.8 with the given provider block body; the
// emulator's Graph endpoint is always set, the sign-in method is the case's.
func readsWith(t *testing.T, env *emulatorEnv, providerBody string, extraChecks ...resource.TestCheckFunc) {
	t.Helper()
	checks := append([]resource.TestCheckFunc{
		resource.TestCheckResourceAttr(hostPorts, "open_ports.0", "443"),
	}, extraChecks...)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "defender" {
  graph_endpoint             = %q
  authority_host             = %q
  disable_instance_discovery = true
  %s
}
data "defender_ti_host_ports" "test" {
  host_id = "8.8.8.8"
}`, env.emulator.URL(), env.emulator.URL(), providerBody),
			Check: resource.ComposeAggregateTestCheckFunc(checks...),
		}},
	})
}

func tenantAndClient() string {
	return fmt.Sprintf("tenant_id = %q\n  client_id = %q", fakegraph.DefaultTenantID, fakegraph.DefaultClientID)
}

// tokenEndpointUsed asserts the emulator's Entra ID issued tokens.
func tokenEndpointUsed(env *emulatorEnv) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if env.emulator.TokenRequests() == 0 {
			return fmt.Errorf("the emulator's token endpoint was never called")
		}
		return nil
	}
}

// newSelfSignedCertificate makes a certificate valid for an hour and its key.
func newSelfSignedCertificate(t *testing.T) (*x509.Certificate, *rsa.PrivateKey) {
	t.Helper()
	cert, key, err := fakegraph.NewClientCertificate()
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// newCertificatePEM makes a self-signed certificate and its key, as PEM.
func newCertificatePEM(t *testing.T) (*x509.Certificate, []byte) {
	t.Helper()
	cert, key := newSelfSignedCertificate(t)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	bundle := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	bundle = append(bundle, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})...)
	return cert, bundle
}

func TestSignInWithClientCertificate(t *testing.T) {
	clearProviderEnvironment(t)
	env := newEmulatorEnv(t, fakegraph.Config{})
	cert, bundle := newCertificatePEM(t)
	env.emulator.AddClientCertificate(fakegraph.DefaultTenantID, fakegraph.DefaultClientID, cert)

	t.Run("inline", func(t *testing.T) {
		readsWith(t, env, tenantAndClient()+fmt.Sprintf("\n  client_certificate = %q", base64.StdEncoding.EncodeToString(bundle)), tokenEndpointUsed(env))
	})
	t.Run("path", func(t *testing.T) {
		certFile := filepath.Join(t.TempDir(), "client.pem")
		if err := os.WriteFile(certFile, bundle, 0o600); err != nil {
			t.Fatal(err)
		}
		readsWith(t, env, tenantAndClient()+fmt.Sprintf("\n  client_certificate_path = %q", certFile), tokenEndpointUsed(env))
	})
	t.Run("unregistered certificate fails", func(t *testing.T) {
		_, unregistered := newCertificatePEM(t)
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: env.factories(),
			Steps: []resource.TestStep{{
				Config: fmt.Sprintf(`
provider "defender" {
  %s
  client_certificate         = %q
  graph_endpoint             = %q
  authority_host             = %q
  disable_instance_discovery = true
}
data "defender_ti_host_ports" "test" {
  host_id = "8.8.8.8"
}`, tenantAndClient(), base64.StdEncoding.EncodeToString(unregistered), env.emulator.URL(), env.emulator.URL()),
				ExpectError: regexp.MustCompile(`(?s)Unable To Sign In To Entra ID.*client certificate: AADSTS700027`),
			}},
		})
	})
}

func TestSignInWithClientSecretFile(t *testing.T) {
	clearProviderEnvironment(t)
	env := newEmulatorEnv(t, fakegraph.Config{})
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte(fakegraph.DefaultClientSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	readsWith(t, env, tenantAndClient()+fmt.Sprintf("\n  client_secret_file_path = %q", secretFile), tokenEndpointUsed(env))
}

func TestSignInWithOIDCToken(t *testing.T) {
	clearProviderEnvironment(t)
	env := newEmulatorEnv(t, fakegraph.Config{})
	const subject = "system:serviceaccount:ci:deployer"
	env.emulator.AddFederatedCredential(fakegraph.DefaultTenantID, fakegraph.DefaultClientID, env.emulator.IssuerURL(), subject)
	token := env.emulator.MintFederatedToken(subject, time.Hour)

	t.Run("token", func(t *testing.T) {
		readsWith(t, env, tenantAndClient()+fmt.Sprintf("\n  use_oidc = true\n  oidc_token = %q", token), tokenEndpointUsed(env))
	})
	t.Run("token file", func(t *testing.T) {
		tokenFile := filepath.Join(t.TempDir(), "token")
		if err := os.WriteFile(tokenFile, []byte(token), 0o600); err != nil {
			t.Fatal(err)
		}
		readsWith(t, env, tenantAndClient()+fmt.Sprintf("\n  use_oidc = true\n  oidc_token_file_path = %q", tokenFile), tokenEndpointUsed(env))
	})
}

func TestSignInWithGitHubActionsOIDC(t *testing.T) {
	clearProviderEnvironment(t)
	env := newEmulatorEnv(t, fakegraph.Config{})
	env.emulator.AddFederatedCredential(fakegraph.DefaultTenantID, fakegraph.DefaultClientID, env.emulator.IssuerURL(), fakegraph.GitHubSubject)
	// What a GitHub Actions job with `permissions: id-token: write` provides.
	t.Setenv("ACTIONS_ID_TOKEN_REQUEST_URL", env.emulator.GitHubRequestURL())
	t.Setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", fakegraph.GitHubRequestToken)
	readsWith(t, env, tenantAndClient()+"\n  use_oidc = true", tokenEndpointUsed(env), func(*terraform.State) error {
		if env.emulator.OIDCRequests() == 0 {
			return fmt.Errorf("the GitHub-style token service was never asked for a token")
		}
		return nil
	})
}

func TestSignInWithAzurePipelinesServiceConnection(t *testing.T) {
	clearProviderEnvironment(t)
	env := newEmulatorEnv(t, fakegraph.Config{})
	const connection = "5f0e2c1b-4c1d-4f3e-9a77-1d2c3b4a5e6f"
	env.emulator.AddFederatedCredential(fakegraph.DefaultTenantID, fakegraph.DefaultClientID, env.emulator.IssuerURL(), fakegraph.PipelinesSubject(connection))
	// What an Azure Pipelines task provides, with System.AccessToken mapped.
	t.Setenv("SYSTEM_OIDCREQUESTURI", env.emulator.PipelinesRequestURI())
	t.Setenv("SYSTEM_ACCESSTOKEN", fakegraph.PipelinesAccessToken)
	readsWith(t, env, tenantAndClient()+fmt.Sprintf("\n  use_oidc = true\n  oidc_azure_service_connection_id = %q", connection),
		tokenEndpointUsed(env), func(*terraform.State) error {
			if env.emulator.OIDCRequests() == 0 {
				return fmt.Errorf("the pipelines token service was never asked for a token")
			}
			return nil
		})
}

func TestSignInWithAKSWorkloadIdentity(t *testing.T) {
	clearProviderEnvironment(t)
	env := newEmulatorEnv(t, fakegraph.Config{})
	const subject = "system:serviceaccount:security:terraform"
	env.emulator.AddFederatedCredential(fakegraph.DefaultTenantID, fakegraph.DefaultClientID, env.emulator.IssuerURL(), subject)
	tokenFile := filepath.Join(t.TempDir(), "azure-identity-token")
	if err := os.WriteFile(tokenFile, []byte(env.emulator.MintFederatedToken(subject, time.Hour)), 0o600); err != nil {
		t.Fatal(err)
	}
	// What the AKS workload identity webhook injects into the pod.
	t.Setenv("AZURE_FEDERATED_TOKEN_FILE", tokenFile)
	t.Setenv("AZURE_TENANT_ID", fakegraph.DefaultTenantID)
	t.Setenv("AZURE_CLIENT_ID", fakegraph.DefaultClientID)
	readsWith(t, env, "use_aks_workload_identity = true", tokenEndpointUsed(env))
}

func TestSignInWithManagedIdentity(t *testing.T) {
	clearProviderEnvironment(t)
	env := newEmulatorEnv(t, fakegraph.Config{})
	managedIdentityUsed := func(*terraform.State) error {
		if env.emulator.ManagedIdentityRequests() == 0 {
			return fmt.Errorf("the managed identity endpoint was never called")
		}
		if env.emulator.TokenRequests() != 0 {
			return fmt.Errorf("a managed identity sign-in called the Entra token endpoint")
		}
		return nil
	}
	// What App Service, Functions and Container Apps provide. Every case sets
	// both, so no request can go to the instance metadata address.
	t.Setenv("IDENTITY_HEADER", fakegraph.ManagedIdentityHeader)
	t.Run("system-assigned", func(t *testing.T) {
		t.Setenv("IDENTITY_ENDPOINT", env.emulator.ManagedIdentityEndpoint())
		readsWith(t, env, "use_msi = true", managedIdentityUsed)
	})
	t.Run("user-assigned through msi_endpoint", func(t *testing.T) {
		const identity = "44444444-4444-4444-8444-444444444444"
		env.emulator.AddManagedIdentity(fakegraph.DefaultTenantID, identity)
		t.Setenv("IDENTITY_ENDPOINT", "https://127.0.0.1:1/not-this-one")
		readsWith(t, env, fmt.Sprintf("use_msi = true\n  client_id = %q\n  msi_endpoint = %q", identity, env.emulator.ManagedIdentityEndpoint()), managedIdentityUsed)
	})
}

// TestSignInWithAzureCLI puts a stub `az` on PATH that prints a token, as
// `az account get-access-token` does.
func TestSignInWithAzureCLI(t *testing.T) {
	clearProviderEnvironment(t)
	env := newEmulatorEnv(t, fakegraph.Config{})
	dir := t.TempDir()
	token := env.emulator.IssueToken(fakegraph.DefaultTenantID)
	calls := filepath.Join(dir, "calls")
	answer := fmt.Sprintf(`{"accessToken": %q, "expiresOn": "2099-01-01 00:00:00.000000", "expires_on": %d, "subscription": "", "tenant": %q, "tokenType": "Bearer"}`,
		token, time.Now().Add(time.Hour).Unix(), fakegraph.DefaultTenantID)
	script := fmt.Sprintf("#!/bin/sh\necho \"$@\" >> '%s'\nprintf '%%s' '%s'\n", calls, answer)
	if err := os.WriteFile(filepath.Join(dir, "az"), []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	readsWith(t, env, "use_cli = true", func(*terraform.State) error {
		args, err := os.ReadFile(calls)
		if err != nil {
			return fmt.Errorf("the stub az was never run: %w", err)
		}
		if !strings.Contains(string(args), "get-access-token") || !strings.Contains(string(args), env.emulator.URL()) {
			return fmt.Errorf("az was run as %q", args)
		}
		return nil
	})
}

func TestSignInFailuresAreListedAndNotHidden(t *testing.T) {
	clearProviderEnvironment(t)
	env := newEmulatorEnv(t, fakegraph.Config{})
	// A PATH without az: no Azure CLI can be found.
	t.Setenv("PATH", t.TempDir())
	steps := []resource.TestStep{{
		// A wrong secret stops the chain: the CLI after it is not tried.
		Config: fmt.Sprintf(`
provider "defender" {
  %s
  client_secret              = "wrong"
  graph_endpoint             = %q
  authority_host             = %q
  disable_instance_discovery = true
}
data "defender_ti_host_ports" "test" {
  host_id = "8.8.8.8"
}`, tenantAndClient(), env.emulator.URL(), env.emulator.URL()),
		ExpectError: regexp.MustCompile(`(?s)Unable To Sign In To Entra ID.*client secret: AADSTS7000215`),
	}, {
		// Only the CLI, and it is unavailable: the error says why.
		Config: fmt.Sprintf(`
provider "defender" {
  graph_endpoint = %q
  authority_host = %q
}
data "defender_ti_host_ports" "test" {
  host_id = "8.8.8.8"
}`, env.emulator.URL(), env.emulator.URL()),
		ExpectError: regexp.MustCompile(`(?s)Unable To Sign In To Entra ID.*` + words("No sign-in method is configured") + `.*Azure\s+CLI.*not\s+found`),
	}, {
		Config: fmt.Sprintf(`
provider "defender" {
  graph_endpoint = %q
  use_cli        = false
}
data "defender_ti_host_ports" "test" {
  host_id = "8.8.8.8"
}`, env.emulator.URL()),
		ExpectError: regexp.MustCompile(`(?s)Unable To Set Up Authentication.*` + words("No sign-in method is configured")),
	}}
	resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: env.factories(), Steps: steps})
	if n := len(env.graphRequests("/ports")); n != 0 {
		t.Errorf("%d requests reached Graph without a token", n)
	}
}

// TestCLINationalCloudWarning runs a real plan in a national cloud (with the
// Graph endpoint overridden to the emulator) and expects the warning that
// Microsoft documents the TI API in the global cloud only.
func TestCLINationalCloudWarning(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	run := newCLIRun(t, ctx, `
data "defender_ti_host_ports" "test" {
  host_id = "8.8.8.8"
}
`, "ARM_ENVIRONMENT=usgovernment")
	result, err := run.runner.Run(ctx, "plan", "-input=false", "-no-color")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(result.Stdout, "Threat Intelligence API Not Documented In This Cloud") {
		t.Errorf("no national cloud warning in:\n%s", result.Stdout)
	}
}

// countingCredential stands for azidentity's credentials: it counts the
// tokens it is asked for.
type countingCredential struct{ calls int }

func (c *countingCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	c.calls++
	return azcore.AccessToken{Token: fmt.Sprintf("fresh-%d", c.calls), ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// TestSignedInCredentialHandsOutTheConfigureTokenOnce proves the token from
// Configure serves the first read only: a renewal, a claims challenge or
// another scope goes to the credential itself.
func TestSignedInCredentialHandsOutTheConfigureTokenOnce(t *testing.T) {
	scopes := []string{"https://graph.microsoft.com/.default"}
	newSignedIn := func() (*signedInCredential, *countingCredential) {
		inner := &countingCredential{}
		return &signedInCredential{inner: inner, scopes: scopes, token: &azcore.AccessToken{Token: "from-configure"}}, inner
	}
	ctx := context.Background()

	c, inner := newSignedIn()
	for i, want := range []string{"from-configure", "fresh-1"} {
		token, err := c.GetToken(ctx, policy.TokenRequestOptions{Scopes: scopes, EnableCAE: true})
		if err != nil || token.Token != want {
			t.Errorf("call %d got %q (%v), want %q", i+1, token.Token, err, want)
		}
	}
	if inner.calls != 1 {
		t.Errorf("the credential was asked %d times, want once", inner.calls)
	}

	for name, options := range map[string]policy.TokenRequestOptions{
		"claims challenge": {Scopes: scopes, Claims: `{"access_token":{"nbf":{"essential":true}}}`},
		"another scope":    {Scopes: []string{"https://graph.microsoft.us/.default"}},
		"another tenant":   {Scopes: scopes, TenantID: "other"},
	} {
		c, inner := newSignedIn()
		if token, _ := c.GetToken(ctx, options); token.Token != "fresh-1" || inner.calls != 1 {
			t.Errorf("%s: got %q after %d calls to the credential; want a fresh token", name, token.Token, inner.calls)
		}
	}
}
