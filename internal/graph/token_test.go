package graph

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph/fakegraphtest"
)

// The provider builds one client per configuration and every data source read
// shares it, so one token request must serve them all: ten concurrent first
// calls on a fresh client, then more calls one after another.
func TestOneTokenRequestServesManyCalls(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{})
	opts := testOptions(t, s)
	opts.Credential = secretCredential(t, s, opts.Transport)
	c := newClient(t, opts)
	ctx := context.Background()

	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.ListHostPorts(ctx, "contoso.com", QueryOptions{}); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for i := 0; i < 5; i++ {
		if _, err := c.ListHostPorts(ctx, "8.8.8.8", QueryOptions{}); err != nil {
			t.Fatal(err)
		}
	}

	if got := s.TokenRequests(); got != 1 {
		t.Errorf("token requests = %d, want 1 for 15 calls", got)
	}
	graph := graphRequests(s)
	if len(graph) != 15 {
		t.Errorf("Graph requests = %d, want 15", len(graph))
	}
	for _, r := range graph {
		if !r.Bearer || r.Status != 200 {
			t.Errorf("%s: bearer %v, status %d", r.Path, r.Bearer, r.Status)
		}
	}
	for _, r := range requestsFrom(s, fakegraph.OriginEntra) {
		if r.Method == "POST" && r.Scope != "" && !containsAll(r.Scope, s.URL()+"/.default") {
			t.Errorf("token scope %q, want %s/.default", r.Scope, s.URL())
		}
	}
}

// A token past its lifetime is replaced before it is sent: once the
// emulator's two-second token has expired, the next call fetches a new one
// instead of meeting a 401. (azcore refreshes early only once per 30 s, so a
// token must really expire for this test; waiting for that is waiting for the
// clock, which nothing observable can replace.)
func TestExpiredTokenIsRefreshed(t *testing.T) {
	t.Parallel()
	s := fakegraphtest.Start(t, fakegraph.Config{TokenTTL: 2 * time.Second})
	opts := testOptions(t, s)
	opts.Credential = secretCredential(t, s, opts.Transport)
	c := newClient(t, opts)
	if _, err := c.ListHostPorts(context.Background(), "8.8.8.8", QueryOptions{}); err != nil {
		t.Fatal(err)
	}
	issued := requestsFrom(s, fakegraph.OriginEntra)
	time.Sleep(time.Until(issued[len(issued)-1].Time.Add(2100 * time.Millisecond)))
	if _, err := c.ListHostPorts(context.Background(), "8.8.8.8", QueryOptions{}); err != nil {
		t.Fatalf("call after the token expired: %v", err)
	}
	if got := s.TokenRequests(); got != 2 {
		t.Errorf("token requests = %d, want 2", got)
	}
	for _, r := range graphRequests(s) {
		if r.Status != 200 {
			t.Errorf("Graph answered %d; an expired token was sent", r.Status)
		}
	}
}

// A token Graph refuses (revoked, or expired early) makes azcore drop its
// cached token, but a 401 is not retried: the call that met it fails with
// an unauthorized error and the next call asks the credential again. With a
// credential that really fetches a new token, that next call succeeds.
func TestRevokedTokenFailsOnceThenIsReplaced(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{})
	opts := testOptions(t, s)
	cred := &staticCredential{s: s}
	opts.Credential = cred
	c := newClient(t, opts)
	ctx := context.Background()

	if _, err := c.ListHostPorts(ctx, "8.8.8.8", QueryOptions{}); err != nil {
		t.Fatal(err)
	}
	s.RevokeTokens()
	_, err := c.ListHostPorts(ctx, "8.8.8.8", QueryOptions{})
	if !IsUnauthorized(err) {
		t.Fatalf("after revocation: %v, want a 401", err)
	}
	if got := len(graphRequests(s)); got != 2 {
		t.Errorf("Graph requests = %d, want 2: a 401 is not retried", got)
	}
	if _, err := c.ListHostPorts(ctx, "8.8.8.8", QueryOptions{}); err != nil {
		t.Fatalf("the call after the 401 should fetch a new token: %v", err)
	}
	if got := cred.calls.Load(); got != 2 {
		t.Errorf("credential asked %d times, want 2", got)
	}
}

// azidentity's client-secret credential answers from MSAL's own cache, which
// knows nothing of the 401: after a revocation it keeps handing out the same
// token until that token nears expiry. This documents the behaviour users
// will see (repeated 401s, no new token request); it is not something the
// client can change without bypassing the credential's cache.
func TestRevokedTokenWithSecretCredentialStaysCached(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{})
	opts := testOptions(t, s)
	opts.Credential = secretCredential(t, s, opts.Transport)
	c := newClient(t, opts)
	ctx := context.Background()
	if _, err := c.ListHostPorts(ctx, "8.8.8.8", QueryOptions{}); err != nil {
		t.Fatal(err)
	}
	s.RevokeTokens()
	for i := 0; i < 2; i++ {
		if _, err := c.ListHostPorts(ctx, "8.8.8.8", QueryOptions{}); !IsUnauthorized(err) {
			t.Fatalf("call %d after revocation: %v, want a 401", i, err)
		}
	}
	if got := s.TokenRequests(); got != 1 {
		t.Errorf("token requests = %d; MSAL was expected to serve its cached token", got)
	}
}
