package graph

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"go.uber.org/goleak"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
)

// TestMain fails the run when a test leaves a goroutine behind: every
// emulator is closed and every transport's idle connections are dropped in
// cleanups, so nothing of net/http should survive either.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// graphPrefix is the path every v1.0 host-port request starts with.
const graphPrefix = "/v1.0/security/threatIntelligence/"

// staticCredential hands out tokens minted by the emulator without a token
// request, and remembers them so tests can look for them in logs.
type staticCredential struct {
	s     *fakegraph.Server
	calls atomic.Int32
	mu    sync.Mutex
	toks  []string
}

func (c *staticCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	c.calls.Add(1)
	tok := c.s.IssueToken(fakegraph.DefaultTenantID)
	c.mu.Lock()
	c.toks = append(c.toks, tok)
	c.mu.Unlock()
	return azcore.AccessToken{Token: tok, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

func (c *staticCredential) tokens() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.toks...)
}

// newTransport returns the production transport trusting the emulator's CA,
// with its idle connections closed when the test ends.
func newTransport(t *testing.T, s *fakegraph.Server) *http.Transport {
	t.Helper()
	transport := NewTransport(s.CertPool())
	t.Cleanup(transport.CloseIdleConnections)
	return transport
}

// secretCredential is the credential the provider builds: azidentity's
// client-secret flow against the emulator's Entra ID, sharing transport.
func secretCredential(t *testing.T, s *fakegraph.Server, transport http.RoundTripper) azcore.TokenCredential {
	t.Helper()
	cred, err := azidentity.NewClientSecretCredential(fakegraph.DefaultTenantID, fakegraph.DefaultClientID, fakegraph.DefaultClientSecret,
		&azidentity.ClientSecretCredentialOptions{
			ClientOptions: policy.ClientOptions{
				Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: s.URL() + "/"},
				Transport: &http.Client{Transport: transport},
			},
			DisableInstanceDiscovery: true,
		})
	if err != nil {
		t.Fatal(err)
	}
	return cred
}

// testOptions are fast-retrying options against s with a static credential;
// tests adjust them before calling newClient.
func testOptions(t *testing.T, s *fakegraph.Server) Options {
	t.Helper()
	return Options{
		Endpoint:   s.URL(),
		Credential: &staticCredential{s: s},
		Transport:  newTransport(t, s),
		Retry:      RetryOptions{RetryDelay: time.Millisecond, MaxRetryDelay: 5 * time.Second},
	}
}

func newClient(t *testing.T, opts Options) *Client {
	t.Helper()
	c, err := NewClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// graphRequests returns the emulator's log entries for one origin.
func requestsFrom(s *fakegraph.Server, origin string) []fakegraph.Request {
	var out []fakegraph.Request
	for _, r := range s.Requests() {
		if r.Origin == origin {
			out = append(out, r)
		}
	}
	return out
}

func graphRequests(s *fakegraph.Server) []fakegraph.Request {
	return requestsFrom(s, fakegraph.OriginGraph)
}

// recordingTransport records what the client put on the wire and what came
// back, then delegates to the real transport.
type recordingTransport struct {
	next http.RoundTripper
	mu   sync.Mutex
	seen []exchange
}

type exchange struct {
	header    http.Header
	url       string
	status    int
	requestID string
}

func (rt *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	e := exchange{header: req.Header.Clone(), url: req.URL.String()}
	resp, err := rt.next.RoundTrip(req)
	if err == nil {
		e.status = resp.StatusCode
		e.requestID = resp.Header.Get("request-id")
	}
	rt.mu.Lock()
	rt.seen = append(rt.seen, e)
	rt.mu.Unlock()
	return resp, err
}

func (rt *recordingTransport) exchanges() []exchange {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return append([]exchange(nil), rt.seen...)
}

func pathOf(r fakegraph.Request) string {
	if r.RawQuery == "" {
		return r.Path
	}
	return r.Path + "?" + r.RawQuery
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
