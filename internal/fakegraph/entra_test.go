package fakegraph

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

func clientOptions(s *Server) azcore.ClientOptions {
	return azcore.ClientOptions{
		Transport: s.HTTPClient(),
		Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: s.URL() + "/"},
	}
}

var graphScope = policy.TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}}

func TestClientSecretCredentialGetsWorkingToken(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	cred, err := azidentity.NewClientSecretCredential(DefaultTenantID, DefaultClientID, DefaultClientSecret,
		&azidentity.ClientSecretCredentialOptions{ClientOptions: clientOptions(s), DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cred.GetToken(context.Background(), graphScope)
	if err != nil {
		t.Fatal(err)
	}
	if until := time.Until(tok.ExpiresOn); until < 50*time.Minute || until > 61*time.Minute {
		t.Errorf("token expires in %s, want about the default 1h", until)
	}
	if r := get(t, s, "/v1.0/security/threatIntelligence/hosts/8.8.8.8/ports", tok.Token); r.status != http.StatusOK {
		t.Fatalf("token from azidentity rejected by Graph: %d %s", r.status, r.body)
	}
	if s.TokenRequests() != 1 {
		t.Errorf("TokenRequests = %d, want 1", s.TokenRequests())
	}
	var sawScope bool
	for _, rq := range s.Requests() {
		if rq.Origin == OriginEntra && strings.HasSuffix(rq.Path, "/oauth2/v2.0/token") {
			sawScope = strings.Contains(rq.Scope, "https://graph.microsoft.com/.default")
		}
	}
	if !sawScope {
		t.Errorf("token request scope not logged: %+v", s.Requests())
	}
}

func TestClientSecretCredentialWrongSecret(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	cred, err := azidentity.NewClientSecretCredential(DefaultTenantID, DefaultClientID, "not-the-secret",
		&azidentity.ClientSecretCredentialOptions{ClientOptions: clientOptions(s), DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cred.GetToken(context.Background(), graphScope)
	if err == nil || !strings.Contains(err.Error(), "AADSTS7000215") {
		t.Fatalf("want AADSTS7000215, got %v", err)
	}
	if s.TokenRequests() < 1 {
		t.Errorf("failed token request not counted")
	}
}

// newClientCert returns a self-signed RSA certificate, the kind a user
// uploads to an app registration.
func newClientCert(t *testing.T) (*x509.Certificate, *rsa.PrivateKey) {
	t.Helper()
	cert, key, err := NewClientCertificate()
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

func TestClientCertificateCredential(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	const tenant, client = "33333333-3333-4333-8333-333333333333", "44444444-4444-4444-8444-444444444444"
	registered, key := newClientCert(t)
	s.AddClientCertificate(tenant, client, registered)

	newCred := func(cert *x509.Certificate, key *rsa.PrivateKey) *azidentity.ClientCertificateCredential {
		cred, err := azidentity.NewClientCertificateCredential(tenant, client, []*x509.Certificate{cert}, key,
			&azidentity.ClientCertificateCredentialOptions{ClientOptions: clientOptions(s), DisableInstanceDiscovery: true})
		if err != nil {
			t.Fatal(err)
		}
		return cred
	}
	tok, err := newCred(registered, key).GetToken(context.Background(), graphScope)
	if err != nil {
		t.Fatal(err)
	}
	if r := get(t, s, "/beta/security/threatIntelligence/hosts/contoso.com/ports/$count", tok.Token); r.status != http.StatusOK {
		t.Fatalf("certificate-based token rejected: %d %s", r.status, r.body)
	}

	// A certificate the app does not know must be refused.
	other, otherKey := newClientCert(t)
	_, err = newCred(other, otherKey).GetToken(context.Background(), graphScope)
	if err == nil || !strings.Contains(err.Error(), "AADSTS700027") {
		t.Fatalf("want AADSTS700027 for an unregistered certificate, got %v", err)
	}
}

// postToken sends a raw token request, for the cases azidentity cannot be
// made to produce.
func postToken(t *testing.T, s *Server, tenant string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := s.HTTPClient().PostForm(s.URL()+"/"+tenant+"/oauth2/v2.0/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

func TestTokenEndpointErrors(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	base := func() url.Values {
		return url.Values{
			"grant_type":    {"client_credentials"},
			"client_id":     {DefaultClientID},
			"client_secret": {DefaultClientSecret},
			"scope":         {"https://graph.microsoft.com/.default"},
		}
	}
	cases := []struct {
		name   string
		tenant string
		edit   func(url.Values)
		status int
		error  string
		aadsts string
	}{
		{"unknown tenant", "99999999-9999-4999-8999-999999999999", func(url.Values) {}, 400, "invalid_request", "AADSTS90002"},
		{"unknown client", DefaultTenantID, func(v url.Values) { v.Set("client_id", "55555555-5555-4555-8555-555555555555") }, 400, "unauthorized_client", "AADSTS700016"},
		{"wrong secret", DefaultTenantID, func(v url.Values) { v.Set("client_secret", "x") }, 401, "invalid_client", "AADSTS7000215"},
		{"scope without .default", DefaultTenantID, func(v url.Values) { v.Set("scope", "https://graph.microsoft.com/ThreatIntelligence.Read.All") }, 400, "invalid_scope", "AADSTS70011"},
		{"no scope", DefaultTenantID, func(v url.Values) { v.Del("scope") }, 400, "invalid_scope", "AADSTS70011"},
		{"bad assertion", DefaultTenantID, func(v url.Values) {
			v.Del("client_secret")
			v.Set("client_assertion_type", clientAssertionType)
			v.Set("client_assertion", "a.b.c")
		}, 401, "invalid_client", "AADSTS700027"},
		{"wrong grant", DefaultTenantID, func(v url.Values) { v.Set("grant_type", "password") }, 400, "unsupported_grant_type", "AADSTS70003"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			form := base()
			c.edit(form)
			status, body := postToken(t, s, c.tenant, form)
			desc, _ := body["error_description"].(string)
			if status != c.status || body["error"] != c.error || !strings.HasPrefix(desc, c.aadsts+":") {
				t.Fatalf("got %d %v", status, body)
			}
			for _, k := range []string{"error_codes", "timestamp", "trace_id", "correlation_id"} {
				if body[k] == nil {
					t.Errorf("AADSTS body lacks %q: %v", k, body)
				}
			}
		})
	}
	if got := s.TokenRequests(); got != len(cases) {
		t.Errorf("TokenRequests = %d, want %d (failures count too)", got, len(cases))
	}

	// MSAL's scope form: the resource plus the OpenID scopes it always adds.
	form := base()
	form.Set("scope", "https://graph.microsoft.com/.default openid offline_access profile")
	status, body := postToken(t, s, DefaultTenantID, form)
	if status != 200 || body["token_type"] != "Bearer" || body["access_token"] == "" || body["expires_in"] != float64(3600) {
		t.Fatalf("got %d %v", status, body)
	}
}

func TestTokenTTLAndExpiry(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{TokenTTL: time.Nanosecond})
	tok := s.IssueToken(DefaultTenantID)
	r := get(t, s, "/v1.0/security/threatIntelligence/hosts/8.8.8.8/ports", tok)
	e := expectError(t, r, http.StatusUnauthorized, "InvalidAuthenticationToken")
	if !strings.Contains(e.Error.Message, "expired") {
		t.Errorf("message %q does not say the token expired", e.Error.Message)
	}
}

func TestRevokeTokens(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	tok := s.IssueToken(DefaultTenantID)
	s.RevokeTokens()
	expectError(t, get(t, s, "/v1.0/security/threatIntelligence/hosts/8.8.8.8/ports", tok), http.StatusUnauthorized, "InvalidAuthenticationToken")
}

func TestOpenIDConfiguration(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	for _, p := range []string{"/" + DefaultTenantID + "/v2.0/.well-known/openid-configuration", "/" + DefaultTenantID + "/.well-known/openid-configuration"} {
		r := get(t, s, p, "")
		var cfg map[string]any
		if err := json.Unmarshal(r.body, &cfg); err != nil || r.status != 200 {
			t.Fatalf("%s: %d %s", p, r.status, r.body)
		}
		if cfg["token_endpoint"] != s.URL()+"/"+DefaultTenantID+"/oauth2/v2.0/token" || cfg["issuer"] != s.URL()+"/"+DefaultTenantID+"/v2.0" || cfg["authorization_endpoint"] == nil {
			t.Errorf("%s: %v", p, cfg)
		}
	}
	if r := get(t, s, "/unknown-tenant/v2.0/.well-known/openid-configuration", ""); r.status != 400 || !strings.Contains(string(r.body), "AADSTS90002") {
		t.Errorf("unknown tenant: %d %s", r.status, r.body)
	}
}
