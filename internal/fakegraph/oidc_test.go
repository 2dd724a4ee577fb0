package fakegraph

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// githubIDToken fetches an ID token the way a GitHub Actions step does.
func fetchGitHubIDToken(t *testing.T, s *Server, requestToken, audience string) (reply, string) {
	t.Helper()
	u := s.GitHubRequestURL()
	if audience != "" {
		u += "&audience=" + url.QueryEscape(audience)
	}
	r := getURL(t, s, u, requestToken)
	if r.status != http.StatusOK {
		return r, ""
	}
	var body struct {
		Count int    `json:"count"`
		Value string `json:"value"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil || body.Value == "" || body.Count != len(body.Value) {
		t.Fatalf("GitHub ID-token response %s", r.body)
	}
	return r, body.Value
}

func TestGitHubIDTokenAsClientAssertion(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	s.AddFederatedCredential(DefaultTenantID, DefaultClientID, s.IssuerURL(), GitHubSubject)
	if !strings.HasPrefix(s.GitHubRequestURL(), s.URL()+"/") || !strings.HasSuffix(s.GitHubRequestURL(), "?api-version=2.0") {
		t.Fatalf("GitHubRequestURL = %s", s.GitHubRequestURL())
	}
	_, idToken := fetchGitHubIDToken(t, s, GitHubRequestToken, FederatedAudience)
	tok, err := assertionToken(t, s, idToken)
	if err != nil {
		t.Fatal(err)
	}
	graphAccepts(t, s, tok.Token)

	if s.OIDCRequests() != 1 || s.TokenRequests() != 1 {
		t.Errorf("OIDCRequests %d, TokenRequests %d; want 1 each", s.OIDCRequests(), s.TokenRequests())
	}
	rq := s.Requests()[0]
	if rq.Origin != OriginOIDC || rq.Method != http.MethodGet || !rq.Bearer || rq.Scope != FederatedAudience || rq.Status != http.StatusOK {
		t.Errorf("logged %+v", rq)
	}
}

func TestGitHubIDTokenEndpointRefusals(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	s.AddFederatedCredential(DefaultTenantID, DefaultClientID, s.IssuerURL(), GitHubSubject)
	for _, bearer := range []string{"", "not-the-request-token"} {
		if r, _ := fetchGitHubIDToken(t, s, bearer, FederatedAudience); r.status != http.StatusUnauthorized {
			t.Errorf("bearer %q: status %d, want 401", bearer, r.status)
		}
	}
	// Without an audience GitHub uses the owner's URL, which Entra ID does
	// not accept; the token is minted all the same.
	_, idToken := fetchGitHubIDToken(t, s, GitHubRequestToken, "")
	if _, err := assertionToken(t, s, idToken); err == nil || !strings.Contains(err.Error(), "AADSTS70021") ||
		!strings.Contains(err.Error(), "https://github.com/defender-ti") {
		t.Fatalf("want AADSTS70021 naming the default audience, got %v", err)
	}
	if s.OIDCRequests() != 3 {
		t.Errorf("OIDCRequests = %d, want 3", s.OIDCRequests())
	}
}

func TestFaultOnIDTokenEndpoint(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	s.AddFault(Fault{Kind: KindStatus, Status: http.StatusInternalServerError}) // RouteAny: Graph only
	s.AddFault(Fault{Route: RouteOIDC, Host: "github", Kind: KindStatus, Status: http.StatusServiceUnavailable})
	if r, _ := fetchGitHubIDToken(t, s, GitHubRequestToken, FederatedAudience); r.status != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want the injected 503", r.status)
	}
	if r, _ := fetchGitHubIDToken(t, s, GitHubRequestToken, FederatedAudience); r.status != http.StatusOK {
		t.Fatalf("status %d after the fault was consumed", r.status)
	}
}

func pipelinesCredential(t *testing.T, s *Server, connectionID, accessToken string) *azidentity.AzurePipelinesCredential {
	t.Helper()
	cred, err := azidentity.NewAzurePipelinesCredential(DefaultTenantID, DefaultClientID, connectionID, accessToken,
		&azidentity.AzurePipelinesCredentialOptions{ClientOptions: clientOptions(s), DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	return cred
}

// Not parallel: the credential reads SYSTEM_OIDCREQUESTURI.
func TestAzurePipelinesCredential(t *testing.T) {
	s := startServer(t, Config{})
	const connectionID = "5f2c3b8e-0d4a-4c1e-9b7a-3e6f1a2d4c5b"
	s.AddFederatedCredential(DefaultTenantID, DefaultClientID, s.IssuerURL(), PipelinesSubject(connectionID))
	t.Setenv("SYSTEM_OIDCREQUESTURI", s.PipelinesRequestURI())

	tok, err := pipelinesCredential(t, s, connectionID, PipelinesAccessToken).GetToken(context.Background(), graphScope)
	if err != nil {
		t.Fatal(err)
	}
	graphAccepts(t, s, tok.Token)
	// MSAL discovers the tenant before it asks for the assertion.
	var rq Request
	for _, r := range s.Requests() {
		if r.Origin == OriginOIDC {
			rq = r
		}
	}
	q, _ := url.ParseQuery(rq.RawQuery)
	if rq.Origin != OriginOIDC || rq.Method != http.MethodPost || !rq.Bearer || rq.Status != http.StatusOK ||
		q.Get("api-version") != "7.1" || q.Get("serviceConnectionId") != connectionID {
		t.Errorf("logged %+v", rq)
	}
	if s.OIDCRequests() != 1 {
		t.Errorf("OIDCRequests = %d, want 1", s.OIDCRequests())
	}

	t.Run("wrong system access token", func(t *testing.T) {
		_, err := pipelinesCredential(t, s, connectionID, "not-the-access-token").GetToken(context.Background(), graphScope)
		if err == nil || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "x-vss-e2eid") ||
			!strings.Contains(err.Error(), "TF400813") {
			t.Fatalf("want a 401 naming x-vss-e2eid and TF400813, got %v", err)
		}
	})
	t.Run("service connection without federated credential", func(t *testing.T) {
		_, err := pipelinesCredential(t, s, "another-connection", PipelinesAccessToken).GetToken(context.Background(), graphScope)
		if err == nil || !strings.Contains(err.Error(), "AADSTS70021") || !strings.Contains(err.Error(), PipelinesSubject("another-connection")) {
			t.Fatalf("want AADSTS70021 naming the subject, got %v", err)
		}
	})
}

func TestPipelinesEndpointRefusals(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	post := func(query, bearer string) *http.Response {
		req, err := http.NewRequest(http.MethodPost, s.PipelinesRequestURI()+query, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+bearer)
		resp, err := s.HTTPClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for _, tc := range []struct {
		query, bearer string
		want          int
	}{
		{"?api-version=7.1&serviceConnectionId=x", PipelinesAccessToken, http.StatusOK},
		{"?api-version=7.1", PipelinesAccessToken, http.StatusBadRequest},
		{"?serviceConnectionId=x", PipelinesAccessToken, http.StatusBadRequest},
		{"?api-version=7.1&serviceConnectionId=x", "wrong", http.StatusUnauthorized},
	} {
		resp := post(tc.query, tc.bearer)
		if resp.StatusCode != tc.want || resp.Header.Get("X-VSS-E2EID") == "" || resp.Header.Get("X-MSEdge-Ref") == "" {
			t.Errorf("%s with %q: %d %v, want %d with correlation headers", tc.query, tc.bearer, resp.StatusCode, resp.Header, tc.want)
		}
	}
	if r := getURL(t, s, s.PipelinesRequestURI()+"?api-version=7.1&serviceConnectionId=x", PipelinesAccessToken); r.status != http.StatusMethodNotAllowed {
		t.Errorf("GET answered %d, want 405", r.status)
	}
}

func TestMintFederatedTokenLifetime(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	var c struct{ Iat, Nbf, Exp int64 }
	if err := decodeSegment(strings.Split(s.MintFederatedToken("x", -time.Minute), ".")[1], &c); err != nil {
		t.Fatal(err)
	}
	if now := time.Now().Unix(); c.Exp >= now || c.Nbf >= c.Exp || c.Iat != c.Nbf {
		t.Errorf("expired token claims %+v at %d", c, now)
	}
}
