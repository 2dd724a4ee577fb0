package fakegraph

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// These tests set IDENTITY_ENDPOINT and IDENTITY_HEADER, so none runs in
// parallel. Each asks for a resource unique to its emulator (the emulator's
// URL): MSAL caches managed identity tokens process-wide, keyed by identity
// and resource, so a resource shared between emulators would be answered
// from the cache with a token the next emulator never issued.

func managedIdentityEnv(t *testing.T, s *Server) {
	t.Helper()
	t.Setenv("IDENTITY_ENDPOINT", s.ManagedIdentityEndpoint())
	t.Setenv("IDENTITY_HEADER", ManagedIdentityHeader)
}

func managedIdentityToken(t *testing.T, s *Server, id azidentity.ManagedIDKind) (string, error) {
	t.Helper()
	cred, err := azidentity.NewManagedIdentityCredential(&azidentity.ManagedIdentityCredentialOptions{
		ClientOptions: clientOptions(s),
		ID:            id,
	})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{s.URL() + "/.default"}})
	if err != nil {
		return "", err
	}
	if until := time.Until(tok.ExpiresOn); until < 50*time.Minute || until > 61*time.Minute {
		t.Errorf("token expires in %s, want about the default 1h", until)
	}
	return tok.Token, nil
}

func TestManagedIdentitySystemAssigned(t *testing.T) {
	s := startServer(t, Config{})
	managedIdentityEnv(t, s)
	tok, err := managedIdentityToken(t, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	graphAccepts(t, s, tok)

	if s.ManagedIdentityRequests() != 1 || s.TokenRequests() != 0 {
		t.Errorf("ManagedIdentityRequests %d, TokenRequests %d; want 1, 0", s.ManagedIdentityRequests(), s.TokenRequests())
	}
	rq := s.Requests()[0]
	q, _ := url.ParseQuery(rq.RawQuery)
	if rq.Origin != OriginManagedIdentity || rq.Method != http.MethodGet || rq.Status != http.StatusOK ||
		q.Get("api-version") != "2019-08-01" || q.Get("resource") != s.URL() || q.Has("client_id") || rq.Scope != s.URL() {
		t.Errorf("logged %+v", rq)
	}
}

func TestManagedIdentityUserAssigned(t *testing.T) {
	s := startServer(t, Config{})
	managedIdentityEnv(t, s)
	const tenant, client = "44444444-4444-4444-8444-444444444444", "55555555-5555-4555-8555-555555555555"
	s.AddManagedIdentity(tenant, client)
	tok, err := managedIdentityToken(t, s, azidentity.ClientID(client))
	if err != nil {
		t.Fatal(err)
	}
	graphAccepts(t, s, tok)
	if q, _ := url.ParseQuery(s.Requests()[0].RawQuery); q.Get("client_id") != client {
		t.Errorf("client_id %q sent, want %q", q.Get("client_id"), client)
	}
}

func TestManagedIdentityRefusals(t *testing.T) {
	s := startServer(t, Config{})
	managedIdentityEnv(t, s)

	_, err := managedIdentityToken(t, s, azidentity.ClientID("66666666-6666-4666-8666-666666666666"))
	if err == nil || !strings.Contains(err.Error(), "400") || !strings.Contains(err.Error(), "Unable to load the proper Managed Identity") {
		t.Fatalf("unknown client id: want 400 Unable to load, got %v", err)
	}
	_, err = managedIdentityToken(t, s, azidentity.ResourceID("/subscriptions/x/resourceGroups/y/providers/Microsoft.ManagedIdentity/userAssignedIdentities/z"))
	if err == nil || !strings.Contains(err.Error(), "400") {
		t.Fatalf("resource id: want 400, got %v", err)
	}

	t.Setenv("IDENTITY_HEADER", "not-the-header")
	_, err = managedIdentityToken(t, s, nil)
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("wrong header: want 401, got %v", err)
	}
	if s.ManagedIdentityRequests() != 3 {
		t.Errorf("ManagedIdentityRequests = %d, want 3", s.ManagedIdentityRequests())
	}
}

func TestManagedIdentityRawRequests(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	call := func(method, query, header string) int {
		req, err := http.NewRequest(method, s.ManagedIdentityEndpoint()+query, nil)
		if err != nil {
			t.Fatal(err)
		}
		if header != "" {
			req.Header.Set("X-IDENTITY-HEADER", header)
		}
		resp, err := s.HTTPClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	h := ManagedIdentityHeader
	for _, tc := range []struct {
		method, query, header string
		want                  int
	}{
		{http.MethodGet, "?api-version=2019-08-01&resource=https://graph.microsoft.com", h, http.StatusOK},
		{http.MethodGet, "?api-version=2019-08-01&resource=https://graph.microsoft.com", "", http.StatusUnauthorized},
		{http.MethodGet, "?api-version=2018-02-01&resource=https://graph.microsoft.com", h, http.StatusBadRequest},
		{http.MethodGet, "?api-version=2019-08-01", h, http.StatusBadRequest},
		{http.MethodGet, "?api-version=2019-08-01&resource=https://graph.microsoft.com/.default", h, http.StatusBadRequest},
		{http.MethodPost, "?api-version=2019-08-01&resource=https://graph.microsoft.com", h, http.StatusMethodNotAllowed},
	} {
		if got := call(tc.method, tc.query, tc.header); got != tc.want {
			t.Errorf("%s %s header %q: %d, want %d", tc.method, tc.query, tc.header, got, tc.want)
		}
	}
}

// TestManagedIdentityTokensAreCachedProcessWide pins down the MSAL
// behaviour the comment at the top of this file works around, so a change
// in it is noticed: a second credential, against a second emulator, asking
// for the same resource gets the first emulator's token without a request.
func TestManagedIdentityTokensAreCachedProcessWide(t *testing.T) {
	first, second := startServer(t, Config{}), startServer(t, Config{})
	const client = "77777777-7777-4777-8777-777777777777"
	first.AddManagedIdentity(DefaultTenantID, client)
	second.AddManagedIdentity(DefaultTenantID, client)
	scope := policy.TokenRequestOptions{Scopes: []string{first.URL() + "/cache-probe/.default"}}
	var tokens []string
	for _, s := range []*Server{first, second} {
		managedIdentityEnv(t, s)
		cred, err := azidentity.NewManagedIdentityCredential(&azidentity.ManagedIdentityCredentialOptions{
			ClientOptions: clientOptions(s), ID: azidentity.ClientID(client),
		})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := cred.GetToken(context.Background(), scope)
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, tok.Token)
	}
	if second.ManagedIdentityRequests() != 0 || tokens[0] != tokens[1] {
		t.Errorf("MSAL no longer shares managed identity tokens across credentials (second emulator saw %d requests); the per-emulator resource in these tests may be unnecessary now",
			second.ManagedIdentityRequests())
	}
}

func TestManagedIdentityIMDSProtocol(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	const client = "88888888-8888-4888-8888-888888888888"
	s.AddManagedIdentity(DefaultTenantID, client)
	call := func(query string, metadata bool) reply {
		req, err := http.NewRequest(http.MethodGet, s.ManagedIdentityIMDSEndpoint()+query, nil)
		if err != nil {
			t.Fatal(err)
		}
		if metadata {
			req.Header.Set("Metadata", "true")
		}
		resp, err := s.HTTPClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body []byte
		body, err = io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return reply{status: resp.StatusCode, body: body}
	}
	for _, query := range []string{
		"?api-version=2018-02-01&resource=https%3A%2F%2Fgraph.microsoft.com",
		"?api-version=2018-02-01&resource=https%3A%2F%2Fgraph.microsoft.com&client_id=" + client,
	} {
		r := call(query, true)
		var tok struct {
			AccessToken string `json:"access_token"`
			ExpiresOn   string `json:"expires_on"`
			ExpiresIn   string `json:"expires_in"`
		}
		if r.status != http.StatusOK || json.Unmarshal(r.body, &tok) != nil || tok.ExpiresOn == "" || tok.ExpiresIn != "3600" {
			t.Fatalf("%s: %d %s", query, r.status, r.body)
		}
		graphAccepts(t, s, tok.AccessToken)
	}
	for _, tc := range []struct {
		query    string
		metadata bool
		want     string
	}{
		{"?api-version=2018-02-01&resource=x", false, "Required metadata header not specified"},
		{"?resource=x", true, "Required api-version parameter not specified"},
		{"?api-version=2018-02-01", true, "Required audience parameter not specified"},
		{"?api-version=2018-02-01&resource=x&client_id=99999999-9999-4999-8999-999999999999", true, "Identity not found"},
	} {
		if r := call(tc.query, tc.metadata); r.status != http.StatusBadRequest || !strings.Contains(string(r.body), tc.want) {
			t.Errorf("%s: %d %s, want 400 %q", tc.query, r.status, r.body, tc.want)
		}
	}
	if s.ManagedIdentityRequests() != 6 {
		t.Errorf("ManagedIdentityRequests = %d, want 6", s.ManagedIdentityRequests())
	}
}
