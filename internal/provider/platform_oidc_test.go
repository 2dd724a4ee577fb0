package provider

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

// The OIDC tokens CI platforms put in a run's environment are tested twice:
// at the level of the credential, where the exact assertion sent to Entra ID
// is recorded, and end to end, where the emulator trusts the subject of one
// token only, so a plan reads a host only if that token was the one used.

// setSpaceliftOIDCTokenFile points the provider at another Spacelift token
// file for the rest of the test.
func setSpaceliftOIDCTokenFile(t *testing.T, name string) {
	t.Helper()
	previous := spaceliftOIDCTokenFile
	spaceliftOIDCTokenFile = name
	t.Cleanup(func() { spaceliftOIDCTokenFile = previous })
}

// assertionRecorder keeps the client assertion of every request to an Entra
// ID token endpoint that passes through it.
type assertionRecorder struct {
	base       http.RoundTripper
	mu         sync.Mutex
	assertions []string
}

func (r *assertionRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/oauth2/v2.0/token") && req.Body != nil {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		if form, err := url.ParseQuery(string(body)); err == nil && form.Get("client_assertion") != "" {
			r.mu.Lock()
			r.assertions = append(r.assertions, form.Get("client_assertion"))
			r.mu.Unlock()
		}
	}
	return r.base.RoundTrip(req)
}

func (r *assertionRecorder) recorded() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.assertions)
}

// subjectOf reads the sub claim of a JWT, for messages that say which token
// was sent instead of printing it.
func subjectOf(token string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "(not a JWT)"
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "(not a JWT)"
	}
	var claims struct {
		Sub string `json:"sub"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return "(not a JWT)"
	}
	return claims.Sub
}

func subjectsOf(tokens []string) []string {
	subjects := make([]string, len(tokens))
	for i, token := range tokens {
		subjects[i] = subjectOf(token)
	}
	return subjects
}

// oidcModel is a provider block that signs in with OIDC at the emulator and
// nothing else.
func oidcModel(emulator *fakegraph.Server) providerModel {
	model := emptyModel()
	model.TenantID = types.StringValue(fakegraph.DefaultTenantID)
	model.ClientID = types.StringValue(fakegraph.DefaultClientID)
	model.UseOIDC = types.BoolValue(true)
	model.UseCLI = types.BoolValue(false)
	model.GraphEndpoint = types.StringValue(emulator.URL())
	model.AuthorityHost = types.StringValue(emulator.URL())
	model.DisableInstanceDiscovery = types.BoolValue(true)
	return model
}

// TestPlatformOIDCTokenChoice puts each platform's token, and the explicit
// sources, in place together in various combinations, signs in, and checks
// the method named and the exact assertion Entra ID received. Every token
// has a subject of its own, and the emulator trusts them all, so a wrong
// choice signs in too and only the recorded assertion tells.
func TestPlatformOIDCTokenChoice(t *testing.T) {
	clearProviderEnvironment(t)
	emulator := newEmulatorEnv(t, fakegraph.Config{}).emulator
	tokens := map[string]string{}
	for _, subject := range []string{"oidc_token", "oidc_token_file_path", "tfc", "tfc_tagged", "spacelift", "spacelift_file", "env0"} {
		emulator.AddFederatedCredential(fakegraph.DefaultTenantID, fakegraph.DefaultClientID, emulator.IssuerURL(), subject)
		tokens[subject] = emulator.MintFederatedToken(subject, time.Hour)
	}
	emulator.AddFederatedCredential(fakegraph.DefaultTenantID, fakegraph.DefaultClientID, emulator.IssuerURL(), fakegraph.GitHubSubject)
	spaceliftFile := filepath.Join(t.TempDir(), "spacelift.oidc")
	if err := os.WriteFile(spaceliftFile, []byte(tokens["spacelift_file"]+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(tokens["oidc_token_file_path"]), 0o600); err != nil {
		t.Fatal(err)
	}
	scope, err := graph.ScopeFor(emulator.URL())
	if err != nil {
		t.Fatal(err)
	}

	// Every platform's token at once, and a tag whose token is present.
	allPlatforms := map[string]string{
		"TFC_WORKLOAD_IDENTITY_TOKEN":       tokens["tfc"],
		"TFC_WORKLOAD_IDENTITY_TOKEN_AZURE": tokens["tfc_tagged"],
		"SPACELIFT_OIDC_TOKEN":              tokens["spacelift"],
		"ENV0_OIDC_TOKEN":                   tokens["env0"],
	}
	with := func(base map[string]string, extra ...string) map[string]string {
		env := cloneEnv(base)
		for i := 0; i+1 < len(extra); i += 2 {
			env[extra[i]] = extra[i+1]
		}
		return env
	}
	cases := []struct {
		name          string
		env           map[string]string
		spaceliftFile bool
		set           func(*providerModel)
		wantMethod    string
		wantSubject   string // the sub of the one assertion Entra ID must receive
		wantErr       string
	}{{
		name:        "HCP Terraform",
		env:         map[string]string{"TFC_WORKLOAD_IDENTITY_TOKEN": tokens["tfc"]},
		wantMethod:  "HCP Terraform workload identity token (TFC_WORKLOAD_IDENTITY_TOKEN)",
		wantSubject: "tfc",
	}, {
		name:        "HCP Terraform tag from the attribute",
		env:         map[string]string{"TFC_WORKLOAD_IDENTITY_TOKEN": tokens["tfc"], "TFC_WORKLOAD_IDENTITY_TOKEN_AZURE": tokens["tfc_tagged"]},
		set:         func(m *providerModel) { m.TFCWorkloadIdentityTag = types.StringValue("AZURE") },
		wantMethod:  "HCP Terraform workload identity token (TFC_WORKLOAD_IDENTITY_TOKEN_AZURE)",
		wantSubject: "tfc_tagged",
	}, {
		name: "HCP Terraform tag from ARM_TFC_WORKLOAD_IDENTITY_TAG",
		env: map[string]string{"ARM_TFC_WORKLOAD_IDENTITY_TAG": "AZURE",
			"TFC_WORKLOAD_IDENTITY_TOKEN": tokens["tfc"], "TFC_WORKLOAD_IDENTITY_TOKEN_AZURE": tokens["tfc_tagged"]},
		wantMethod:  "HCP Terraform workload identity token (TFC_WORKLOAD_IDENTITY_TOKEN_AZURE)",
		wantSubject: "tfc_tagged",
	}, {
		name:        "the tag attribute wins over ARM_TFC_WORKLOAD_IDENTITY_TAG",
		env:         with(allPlatforms, "ARM_TFC_WORKLOAD_IDENTITY_TAG", "OTHER"),
		set:         func(m *providerModel) { m.TFCWorkloadIdentityTag = types.StringValue("AZURE") },
		wantMethod:  "HCP Terraform workload identity token (TFC_WORKLOAD_IDENTITY_TOKEN_AZURE)",
		wantSubject: "tfc_tagged",
	}, {
		name:          "Spacelift variable before Spacelift file",
		env:           map[string]string{"SPACELIFT_OIDC_TOKEN": tokens["spacelift"]},
		spaceliftFile: true,
		wantMethod:    "Spacelift OIDC token (SPACELIFT_OIDC_TOKEN)",
		wantSubject:   "spacelift",
	}, {
		name:          "Spacelift file",
		spaceliftFile: true,
		wantMethod:    "Spacelift OIDC token file (" + spaceliftFile + ")",
		wantSubject:   "spacelift_file",
	}, {
		name:        "env0",
		env:         map[string]string{"ENV0_OIDC_TOKEN": tokens["env0"]},
		wantMethod:  "env0 OIDC token (ENV0_OIDC_TOKEN)",
		wantSubject: "env0",
	}, {
		name:          "HCP Terraform before Spacelift and env0",
		env:           allPlatforms,
		spaceliftFile: true,
		wantMethod:    "HCP Terraform workload identity token (TFC_WORKLOAD_IDENTITY_TOKEN)",
		wantSubject:   "tfc",
	}, {
		name:          "Spacelift file before env0",
		env:           map[string]string{"ENV0_OIDC_TOKEN": tokens["env0"]},
		spaceliftFile: true,
		wantMethod:    "Spacelift OIDC token file (" + spaceliftFile + ")",
		wantSubject:   "spacelift_file",
	}, {
		name:          "oidc_token before every platform",
		env:           allPlatforms,
		spaceliftFile: true,
		set: func(m *providerModel) {
			m.OIDCToken = types.StringValue(tokens["oidc_token"])
			m.TFCWorkloadIdentityTag = types.StringValue("AZURE")
		},
		wantMethod:  "OIDC token",
		wantSubject: "oidc_token",
	}, {
		// HCP Terraform's own Azure dynamic credentials arrive this way.
		name:          "ARM_OIDC_TOKEN before every platform",
		env:           with(allPlatforms, "ARM_OIDC_TOKEN", tokens["oidc_token"]),
		spaceliftFile: true,
		wantMethod:    "OIDC token",
		wantSubject:   "oidc_token",
	}, {
		name:          "oidc_token_file_path before every platform",
		env:           allPlatforms,
		spaceliftFile: true,
		set:           func(m *providerModel) { m.OIDCTokenFilePath = types.StringValue(tokenFile) },
		wantMethod:    "OIDC token file",
		wantSubject:   "oidc_token_file_path",
	}, {
		name: "request URL before every platform",
		env: with(allPlatforms, "ACTIONS_ID_TOKEN_REQUEST_URL", emulator.GitHubRequestURL(),
			"ACTIONS_ID_TOKEN_REQUEST_TOKEN", fakegraph.GitHubRequestToken),
		spaceliftFile: true,
		wantMethod:    "OIDC request URL",
		wantSubject:   fakegraph.GitHubSubject,
	}, {
		name:          "a tag whose token is missing stops, without falling back",
		env:           with(allPlatforms, "TFC_WORKLOAD_IDENTITY_TOKEN_AZURE", ""),
		spaceliftFile: true,
		set:           func(m *providerModel) { m.TFCWorkloadIdentityTag = types.StringValue("AZURE") },
		wantErr:       "but that variable is not set in this run. HCP Terraform sets it when the workspace has the variable TFC_WORKLOAD_IDENTITY_AUDIENCE_AZURE",
	}, {
		name:    "no token anywhere",
		wantErr: "use_oidc is true but no OIDC token source is configured",
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clearProviderEnvironment(t)
			for name, value := range c.env {
				t.Setenv(name, value)
			}
			if c.spaceliftFile {
				setSpaceliftOIDCTokenFile(t, spaceliftFile)
			}
			model := oidcModel(emulator)
			if c.set != nil {
				c.set(&model)
			}
			s, diags := resolveSettings(&model)
			if diags.HasError() {
				t.Fatalf("resolving the settings: %v", diags)
			}
			recorder := &assertionRecorder{base: emulator.HTTPClient().Transport}
			credential, methods, err := s.credential(&http.Client{Transport: recorder})
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("got error %v, want one saying %q", err, c.wantErr)
				}
				if n := len(recorder.recorded()); n != 0 {
					t.Errorf("%d assertions were sent although sign-in could not be set up", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(methods, []string{c.wantMethod}) {
				t.Errorf("methods %q, want %q", methods, c.wantMethod)
			}
			if _, err := credential.GetToken(t.Context(), policy.TokenRequestOptions{Scopes: []string{scope}}); err != nil {
				t.Fatal(err)
			}
			sent := recorder.recorded()
			if len(sent) != 1 || subjectOf(sent[0]) != c.wantSubject {
				t.Fatalf("Entra ID received assertions with subjects %q, want one with %q", subjectsOf(sent), c.wantSubject)
			}
			if want, minted := tokens[c.wantSubject]; minted && sent[0] != want {
				t.Errorf("the assertion sent is not the token the %s source holds", c.wantSubject)
			}
		})
	}
}

func cloneEnv(m map[string]string) map[string]string {
	clone := make(map[string]string, len(m))
	for k, v := range m {
		clone[k] = v
	}
	return clone
}

// TestSpaceliftOIDCTokenFileReadAgain rewrites Spacelift's token file between
// two token requests and expects the second to send the new token: a run
// can outlast the hour a Spacelift token is valid for.
func TestSpaceliftOIDCTokenFileReadAgain(t *testing.T) {
	clearProviderEnvironment(t)
	emulator := newEmulatorEnv(t, fakegraph.Config{}).emulator
	for _, subject := range []string{"spacelift:first", "spacelift:second"} {
		emulator.AddFederatedCredential(fakegraph.DefaultTenantID, fakegraph.DefaultClientID, emulator.IssuerURL(), subject)
	}
	spaceliftFile := filepath.Join(t.TempDir(), "spacelift.oidc")
	setSpaceliftOIDCTokenFile(t, spaceliftFile)
	first, second := emulator.MintFederatedToken("spacelift:first", time.Hour), emulator.MintFederatedToken("spacelift:second", time.Hour)
	if err := os.WriteFile(spaceliftFile, []byte(first), 0o600); err != nil {
		t.Fatal(err)
	}
	model := oidcModel(emulator)
	s, diags := resolveSettings(&model)
	if diags.HasError() {
		t.Fatal(diags)
	}
	recorder := &assertionRecorder{base: emulator.HTTPClient().Transport}
	credential, _, err := s.credential(&http.Client{Transport: recorder})
	if err != nil {
		t.Fatal(err)
	}
	// A second scope is a token the credential has not cached, so it must
	// ask Entra ID again, as it does when the first token nears expiry.
	for i, scope := range []string{emulator.URL() + "/.default", "https://graph.example/.default"} {
		if i == 1 {
			if err := os.WriteFile(spaceliftFile, []byte(second), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := credential.GetToken(t.Context(), policy.TokenRequestOptions{Scopes: []string{scope}}); err != nil {
			t.Fatal(err)
		}
	}
	if sent := recorder.recorded(); !slices.Equal(sent, []string{first, second}) {
		t.Errorf("Entra ID received assertions with subjects %q, want the file's token before and after it changed", subjectsOf(sent))
	}
}

// TestSignInWithPlatformOIDC runs a plan under each platform's environment.
// The emulator trusts only the subject of the token that must be used; every
// other token present has a subject it does not trust, so choosing one would
// fail the plan with AADSTS70021.
func TestSignInWithPlatformOIDC(t *testing.T) {
	const trusted, untrusted = "the-expected-token", "a-token-that-must-not-be-used"
	cases := []struct {
		name   string
		env    map[string]string // trusted or untrusted, for a token with that subject
		files  map[string]string // Spacelift's token file, the token file, the client ID file: trusted, untrusted, or content
		config string
	}{{
		name:   "HCP Terraform",
		env:    map[string]string{"TFC_WORKLOAD_IDENTITY_TOKEN": trusted, "ENV0_OIDC_TOKEN": untrusted},
		files:  map[string]string{"spacelift": untrusted},
		config: tenantAndClient() + "\n  use_oidc = true",
	}, {
		name:   "HCP Terraform tagged token",
		env:    map[string]string{"TFC_WORKLOAD_IDENTITY_TOKEN": untrusted, "TFC_WORKLOAD_IDENTITY_TOKEN_DEFENDER": trusted},
		config: tenantAndClient() + "\n  use_oidc = true\n  tfc_workload_identity_tag = \"DEFENDER\"",
	}, {
		// What HCP Terraform's multi-configuration Azure dynamic credentials
		// hand a provider block: two files.
		name:  "HCP Terraform client ID and token files",
		env:   map[string]string{"TFC_WORKLOAD_IDENTITY_TOKEN": untrusted},
		files: map[string]string{"token": trusted, "client_id": fakegraph.DefaultClientID + "\n"},
		config: fmt.Sprintf("tenant_id = %q\n  use_oidc = true\n  client_id_file_path = \"{client_id}\"\n  oidc_token_file_path = \"{token}\"",
			fakegraph.DefaultTenantID),
	}, {
		name:   "Spacelift variable",
		env:    map[string]string{"SPACELIFT_OIDC_TOKEN": trusted, "ENV0_OIDC_TOKEN": untrusted},
		files:  map[string]string{"spacelift": untrusted},
		config: tenantAndClient() + "\n  use_oidc = true",
	}, {
		name:   "Spacelift file",
		env:    map[string]string{"ENV0_OIDC_TOKEN": untrusted},
		files:  map[string]string{"spacelift": trusted},
		config: tenantAndClient() + "\n  use_oidc = true",
	}, {
		name:   "env0",
		env:    map[string]string{"ENV0_OIDC_TOKEN": trusted},
		config: tenantAndClient() + "\n  use_oidc = true",
	}, {
		name: "oidc_token before the platforms' tokens",
		env: map[string]string{"TFC_WORKLOAD_IDENTITY_TOKEN": untrusted, "SPACELIFT_OIDC_TOKEN": untrusted,
			"ENV0_OIDC_TOKEN": untrusted, "ARM_OIDC_TOKEN": trusted},
		config: tenantAndClient() + "\n  use_oidc = true",
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clearProviderEnvironment(t)
			env := newEmulatorEnv(t, fakegraph.Config{})
			env.emulator.AddFederatedCredential(fakegraph.DefaultTenantID, fakegraph.DefaultClientID, env.emulator.IssuerURL(), trusted)
			token := func(subject string) string { return env.emulator.MintFederatedToken(subject, time.Hour) }
			for name, subject := range c.env {
				t.Setenv(name, token(subject))
			}
			config := c.config
			for name, content := range c.files {
				if content == trusted || content == untrusted {
					content = token(content)
				}
				file := filepath.Join(t.TempDir(), name)
				if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
				if name == "spacelift" {
					setSpaceliftOIDCTokenFile(t, file)
				}
				config = strings.ReplaceAll(config, "{"+name+"}", file)
			}
			readsWith(t, env, config, tokenEndpointUsed(env))
		})
	}
}

// TestPlatformOIDCConfigurationErrors covers the two mistakes the platform
// settings add: a tag whose token the run lacks, and a client ID file that
// disagrees with client_id. Neither may reach Entra ID.
func TestPlatformOIDCConfigurationErrors(t *testing.T) {
	clearProviderEnvironment(t)
	env := newEmulatorEnv(t, fakegraph.Config{})
	t.Setenv("TFC_WORKLOAD_IDENTITY_TOKEN", "an-untagged-token")
	t.Setenv("ENV0_OIDC_TOKEN", "an-env0-token")
	clientIDFile := filepath.Join(t.TempDir(), "client-id")
	if err := os.WriteFile(clientIDFile, []byte("22222222-2222-2222-2222-222222222222\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	block := func(body string) string {
		return fmt.Sprintf(`
provider "defender" {
  graph_endpoint             = %q
  authority_host             = %q
  disable_instance_discovery = true
  use_oidc                   = true
  use_cli                    = false
  %s
}`, env.emulator.URL(), env.emulator.URL(), body) + hostPortsRead
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: block(tenantAndClient() + "\n  tfc_workload_identity_tag = \"DEFENDER\""),
			ExpectError: regexp.MustCompile(`(?s)Unable To Set Up Authentication.*` + words(`tfc_workload_identity_tag (or ARM_TFC_WORKLOAD_IDENTITY_TAG) is "DEFENDER"`) +
				`.*` + words("HCP Terraform puts in TFC_WORKLOAD_IDENTITY_TOKEN_DEFENDER, but that variable is not set in this run.") +
				`.*TFC_WORKLOAD_IDENTITY_AUDIENCE_DEFENDER`),
		}, {
			Config: block(tenantAndClient() + fmt.Sprintf("\n  client_id_file_path = %q", clientIDFile)),
			ExpectError: regexp.MustCompile(`(?s)Conflicting Client IDs.*` + words(fmt.Sprintf(`client_id (or ARM_CLIENT_ID, AZURE_CLIENT_ID) is %q`, fakegraph.DefaultClientID)) +
				`.*` + words(`the file named by client_id_file_path (or ARM_CLIENT_ID_FILE_PATH) holds "22222222-2222-2222-2222-222222222222"`)),
		}, {
			Config:      block(tenantAndClient() + "\n  tfc_workload_identity_tag = \"not-a-tag\""),
			ExpectError: regexp.MustCompile(`(?s)tfc_workload_identity_tag.*letters,\s+digits\s+and\s+underscores`),
		}},
	})
	if n := env.emulator.TokenRequests(); n != 0 {
		t.Errorf("%d token requests reached Entra ID", n)
	}
}

// TestClientIDFile reads the client ID from a file, trimmed, with or without
// a client_id that agrees, and names both attributes when they disagree.
func TestClientIDFile(t *testing.T) {
	clientIDFile := filepath.Join(t.TempDir(), "client-id")
	if err := os.WriteFile(clientIDFile, []byte("  11111111-aaaa-4111-8111-111111111111\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		clientID   *string // the attribute; nil leaves it null
		armID      string
		wantID     string
		wantDetail string
	}{
		"file alone":               {wantID: "11111111-aaaa-4111-8111-111111111111"},
		"client_id agrees":         {clientID: ptr("11111111-aaaa-4111-8111-111111111111"), wantID: "11111111-aaaa-4111-8111-111111111111"},
		"client_id in other case":  {clientID: ptr("11111111-AAAA-4111-8111-111111111111"), wantID: "11111111-aaaa-4111-8111-111111111111"},
		"ARM_CLIENT_ID agrees":     {armID: "11111111-aaaa-4111-8111-111111111111", wantID: "11111111-aaaa-4111-8111-111111111111"},
		"client_id disagrees":      {clientID: ptr("33333333-3333-4333-8333-333333333333"), wantDetail: `client_id (or ARM_CLIENT_ID, AZURE_CLIENT_ID) is "33333333-3333-4333-8333-333333333333", but the file named by client_id_file_path (or ARM_CLIENT_ID_FILE_PATH) holds "11111111-aaaa-4111-8111-111111111111". Set only one of them.`},
		"ARM_CLIENT_ID disagrees":  {armID: "44444444-4444-4444-8444-444444444444", wantDetail: `client_id (or ARM_CLIENT_ID, AZURE_CLIENT_ID) is "44444444-4444-4444-8444-444444444444"`},
		"client_id beats the env":  {clientID: ptr("11111111-aaaa-4111-8111-111111111111"), armID: "44444444-4444-4444-8444-444444444444", wantID: "11111111-aaaa-4111-8111-111111111111"},
		"empty client_id is unset": {clientID: ptr(""), wantID: "11111111-aaaa-4111-8111-111111111111"},
	} {
		t.Run(name, func(t *testing.T) {
			clearProviderEnvironment(t)
			if c.armID != "" {
				t.Setenv("ARM_CLIENT_ID", c.armID)
			}
			model := emptyModel()
			model.ClientIDFilePath = types.StringValue(clientIDFile)
			if c.clientID != nil {
				model.ClientID = types.StringValue(*c.clientID)
			}
			s, diags := resolveSettings(&model)
			if c.wantDetail == "" {
				if diags.HasError() {
					t.Fatal(diags)
				}
				if s.clientID != c.wantID {
					t.Errorf("client ID %q, want %q", s.clientID, c.wantID)
				}
				return
			}
			if !hasAttributeError(diags, "client_id_file_path", "Conflicting Client IDs", c.wantDetail) {
				t.Errorf("want Conflicting Client IDs on client_id_file_path saying %q, got %v", c.wantDetail, diags)
			}
		})
	}
}

func ptr(s string) *string { return &s }

func hasAttributeError(diags diag.Diagnostics, attribute, summary, detail string) bool {
	for _, d := range diags.Errors() {
		withPath, ok := d.(diag.DiagnosticWithPath)
		if ok && withPath.Path().String() == attribute && d.Summary() == summary && strings.Contains(d.Detail(), detail) {
			return true
		}
	}
	return false
}

// TestPlatformOIDCTokensAreMasked checks that every platform token is among
// the secrets the provider masks in its logs.
func TestPlatformOIDCTokensAreMasked(t *testing.T) {
	clearProviderEnvironment(t)
	t.Setenv("ARM_TFC_WORKLOAD_IDENTITY_TAG", "AZURE")
	t.Setenv("TFC_WORKLOAD_IDENTITY_TOKEN_AZURE", "tagged-token")
	t.Setenv("SPACELIFT_OIDC_TOKEN", "spacelift-token")
	t.Setenv("ENV0_OIDC_TOKEN", "env0-token")
	model := emptyModel()
	s, diags := resolveSettings(&model)
	if diags.HasError() {
		t.Fatal(diags)
	}
	for _, token := range []string{"tagged-token", "spacelift-token", "env0-token"} {
		if !slices.Contains(s.secrets(), token) {
			t.Errorf("%s is not masked in logs", token)
		}
	}
}
