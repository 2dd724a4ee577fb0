package provider

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
)

// secretWords mark an attribute whose value is a credential. An attribute
// that only says where a credential is (a file path or a URL) is not one, nor
// is the public TLS certificate a host port reports.
var (
	secretWords      = []string{"secret", "password", "token", "assertion", "client_certificate", "private_key"}
	locationSuffixes = []string{"_path", "_url", "_endpoint"}
)

func isSecretBearing(name string) bool {
	for _, suffix := range locationSuffixes {
		if strings.HasSuffix(name, suffix) {
			return false
		}
	}
	for _, word := range secretWords {
		if strings.Contains(name, word) {
			return true
		}
	}
	return false
}

// TestSecretAttributesAreSensitive reads the schemas Terraform receives and
// requires every credential-bearing attribute to be Sensitive, so Terraform
// redacts it in plans, state output and its own logs. A credential attribute
// added later is covered without editing this test.
func TestSecretAttributesAreSensitive(t *testing.T) {
	p := newProtocolServer(t)
	schemas := map[string]*tfprotov6.Schema{"provider": p.schemas.Provider}
	for name, schema := range p.schemas.DataSourceSchemas {
		schemas["data source "+name] = schema
	}
	var secrets []string
	for owner, schema := range schemas {
		for _, attribute := range schema.Block.Attributes {
			if !isSecretBearing(attribute.Name) {
				continue
			}
			secrets = append(secrets, attribute.Name)
			if !attribute.Sensitive {
				t.Errorf("%s attribute %s carries a credential but is not Sensitive", owner, attribute.Name)
			}
		}
	}
	slices.Sort(secrets)
	t.Logf("credential attributes: %s", strings.Join(secrets, ", "))
	if !slices.Contains(secrets, "client_secret") {
		t.Errorf("client_secret was not recognised as a credential (found %q); the name rule is broken", secrets)
	}
}

func TestIsSecretBearing(t *testing.T) {
	for name, want := range map[string]bool{
		"client_secret": true, "client_certificate": true, "client_certificate_password": true, "oidc_token": true,
		"oidc_request_token": true, "client_assertion": true,
		"client_secret_file_path": false, "oidc_token_file_path": false, "client_certificate_path": false,
		"oidc_request_url": false, "client_id": false, "tenant_id": false, "graph_endpoint": false, "host_id": false,
		"expand_most_recent_ssl_certificate": false, "most_recent_ssl_certificate": false,
	} {
		if got := isSecretBearing(name); got != want {
			t.Errorf("isSecretBearing(%q) = %t, want %t", name, got, want)
		}
	}
}

// leakPatterns find credentials in text. The emulator's access tokens are
// "fg." and 43 base64url characters; the Bearer pattern catches a token of
// any shape in a logged Authorization header.
var leakPatterns = map[string]*regexp.Regexp{
	"an access token issued by the emulator": regexp.MustCompile(`fg\.[A-Za-z0-9_-]{43}`),
	"a bearer token after \"Bearer\"":        regexp.MustCompile(`(?i)bearer[\s"':=]+([A-Za-z0-9._~+/-]{16,}=*)`),
	"a token response's access_token field":  regexp.MustCompile(`(?i)access_token`),
	"a client_secret form field":             regexp.MustCompile(`client_secret=`),
	"a client assertion":                     regexp.MustCompile(`client_assertion=`),
}

// findLeaks returns a description of each credential found in text, with a
// little context so a failure can be traced to its log line.
func findLeaks(text string, secrets ...string) []string {
	var found []string
	excerpt := func(at int) string {
		start, end := max(0, at-120), min(len(text), at+80)
		return strings.ReplaceAll(text[start:end], "\n", " | ")
	}
	for _, secret := range secrets {
		if at := strings.Index(text, secret); at >= 0 {
			found = append(found, "the client secret, in: "+excerpt(at))
		}
	}
	for what, pattern := range leakPatterns {
		if loc := pattern.FindStringIndex(text); loc != nil {
			found = append(found, what+", in: "+excerpt(loc[0]))
		}
	}
	return found
}

func TestFindLeaksSeesWhatItLooksFor(t *testing.T) {
	for _, text := range []string{
		"Authorization: Bearer fg.abcdefghijklmnopqrstuvwxyz",
		`"Authorization":["Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2dyYXBo"]`,
		`{"token_type":"Bearer","expires_in":3600,"access_token":"x"}`,
		"fg." + strings.Repeat("A", 43),
		"grant_type=client_credentials&client_secret=s3cr3t",
		"the secret is distinctive-secret-value",
	} {
		if len(findLeaks(text, "distinctive-secret-value")) == 0 {
			t.Errorf("findLeaks missed the credential in %q", text)
		}
	}
	for _, text := range []string{
		`"token_type":"Bearer"`, "Authorization: Bearer REDACTED", `WWW-Authenticate: Bearer realm=""`, "Graph response status=200",
	} {
		if leaks := findLeaks(text, "distinctive-secret-value"); len(leaks) != 0 {
			t.Errorf("findLeaks reported %q in harmless text %q", leaks, text)
		}
	}
}

// TestCLITraceLogHoldsNoSecrets runs real plans with every log at TRACE,
// provider and client lines included, and searches all of stdout and stderr
// for the client secret and for any bearer token: once for a run that signs
// in, retries a throttled read, pages and meets a 404, and once for a run
// whose secret Entra ID refuses, since error paths are where request bodies
// and headers tend to get dumped.
func TestCLITraceLogHoldsNoSecrets(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	const secret = "Zq8~trace-leak-canary.7f3d9c2e1b"
	run := newCLIRun(t, ctx, `
data "defender_ti_host_ports" "reference" {
  host_id = "8.8.8.8"
}
data "defender_ti_host_ports" "paging" {
  host_id = "`+fakegraph.SamplePagingHost+`"
  filter  = { ports = [0] }
}
data "defender_ti_host_ports" "unknown" {
  host_id = "unknown.example.com"
}
`, "TF_LOG=TRACE", "TF_LOG_PROVIDER=TRACE", "ARM_CLIENT_SECRET="+secret)
	run.emulator.AddClientSecret(fakegraph.DefaultTenantID, fakegraph.DefaultClientID, secret)
	run.emulator.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Host: "8.8.8.8", Kind: fakegraph.KindThrottle, RetryAfter: "0.1"})

	result, err := run.runner.Run(ctx, "plan", "-input=false", "-no-color")
	if err != nil {
		t.Fatal(err)
	}
	output := result.Stdout + result.Stderr
	// The search only means something if the lines that could leak are there.
	for _, want := range []string{"Graph response", "Configured the Graph client", "Host Not Found In Defender TI", "retry_after"} {
		if !strings.Contains(output, want) {
			t.Errorf("the TRACE output lacks %q, so the search for secrets proves less than it should", want)
		}
	}
	if n := run.emulator.TokenRequests(); n == 0 {
		t.Error("no token was requested, so there was no bearer token to leak")
	}
	for _, leak := range findLeaks(output, secret) {
		t.Errorf("the TRACE output of a successful plan holds %s", leak)
	}

	// This time the secret is in the provider block rather than the
	// environment, the other way a user can pass it.
	const wrongSecret = "Wx4~refused-canary.0a9b8c7d6e"
	mainTF := filepath.Join(run.runner.Dir, "main.tf")
	config, err := os.ReadFile(mainTF)
	if err != nil {
		t.Fatal(err)
	}
	withSecret := strings.Replace(string(config), `provider "defender" {}`,
		`provider "defender" {
  client_secret = "`+wrongSecret+`"
}`, 1)
	if withSecret == string(config) {
		t.Fatal("the CLI test configuration no longer has an empty provider block to fill")
	}
	if err := os.WriteFile(mainTF, []byte(withSecret), 0o600); err != nil {
		t.Fatal(err)
	}
	result, err = run.runner.Run(ctx, "plan", "-input=false", "-no-color")
	if err == nil {
		t.Fatal("a plan with a wrong client secret succeeded")
	}
	output = result.Stdout + result.Stderr
	if !strings.Contains(output, "AADSTS7000215") {
		t.Errorf("the refused plan does not show Entra ID's error:\n%s", result.Stdout)
	}
	for _, leak := range findLeaks(output, wrongSecret, secret) {
		t.Errorf("the TRACE output of a refused sign-in holds %s", leak)
	}
}
