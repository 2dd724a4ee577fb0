package fakegraph

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"
)

// poll waits until cond holds, failing after a generous deadline: it waits
// on something observable rather than for a fixed time.
func poll(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestMaxInFlight(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{Latency: time.Hour})
	tok := s.IssueToken(DefaultTenantID)

	// Five requests held by the latency are five in flight at once.
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL()+portsOf8888, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			if _, err := s.HTTPClient().Do(req); !errors.Is(err, context.Canceled) {
				t.Errorf("want the request cancelled, got %v", err)
			}
		})
	}
	poll(t, "five requests in flight", func() bool { return s.MaxInFlight() == 5 })
	cancel()
	wg.Wait()
	if st := s.Stats(); st.MaxInFlight != 5 {
		t.Errorf("Stats().MaxInFlight %d, want 5", st.MaxInFlight)
	}
	// Handlers count out asynchronously after the client gave up.
	poll(t, "the cancelled requests to be counted out", func() bool { return s.inFlight.now.Load() == 0 })

	// After a reset the peak starts over, and requests one after another
	// (each read to its end before the next is sent) are never two at once.
	s.SetLatency(0)
	s.ResetLog()
	if n := s.MaxInFlight(); n != 0 {
		t.Fatalf("MaxInFlight %d after ResetLog, want 0", n)
	}
	for range 20 {
		decodePage(t, get(t, s, portsOf8888, tok))
	}
	if n := s.MaxInFlight(); n != 1 {
		t.Errorf("sequential requests: MaxInFlight %d, want 1", n)
	}
	// Entra requests are not Graph requests.
	s.ResetLog()
	postToken(t, s, DefaultTenantID, nil)
	if n := s.MaxInFlight(); n != 0 {
		t.Errorf("a token request counted: MaxInFlight %d", n)
	}
}

func TestThrottleForAnswersEveryGraphRoute(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	tok := s.IssueToken(DefaultTenantID)
	s.ThrottleFor(time.Hour, "2.5")
	for _, path := range []string{
		portsOf8888,
		"/v1.0/security/threatIntelligence/hosts/8.8.8.8/ports/$count",
		"/beta/security/threatIntelligence/hostPorts/anything",
		"/v1.0/security/threatIntelligence/unknown",
	} {
		r := get(t, s, path, tok)
		e := expectError(t, r, http.StatusTooManyRequests, "TooManyRequests")
		if got := r.header.Get("Retry-After"); got != "2.5" {
			t.Errorf("%s: Retry-After %q, want 2.5", path, got)
		}
		if e.Error.InnerError.RequestID == "" || e.Error.InnerError.RequestID != r.header.Get("request-id") {
			t.Errorf("%s: request-id %q in the body, %q in the header", path, e.Error.InnerError.RequestID, r.header.Get("request-id"))
		}
	}
	// Even an unauthenticated request is throttled, as Graph decides that first.
	expectError(t, get(t, s, portsOf8888, ""), http.StatusTooManyRequests, "TooManyRequests")
	// Entra ID is not Graph: a client can still sign in.
	if status, _ := postToken(t, s, DefaultTenantID, nil); status == http.StatusTooManyRequests {
		t.Errorf("the token endpoint was throttled")
	}
	s.ThrottleFor(0, "")
	decodePage(t, get(t, s, portsOf8888, tok))
}

// The window is a span of time: requests arriving in it are throttled, the
// first one arriving after it is answered.
func TestThrottleForEndsWithItsWindow(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	tok := s.IssueToken(DefaultTenantID)
	const window = 100 * time.Millisecond
	started := time.Now()
	s.ThrottleFor(window, "0.1")
	end := started.Add(window)
	for {
		if r := get(t, s, portsOf8888, tok); r.status == http.StatusOK {
			break
		}
		if time.Since(started) > 10*time.Second {
			t.Fatal("the window never ended")
		}
	}
	reqs := s.Requests()
	if len(reqs) < 2 {
		t.Fatalf("%d requests: the window throttled none", len(reqs))
	}
	for i, r := range reqs {
		last := i == len(reqs)-1
		switch {
		case !last && (r.Status != http.StatusTooManyRequests || !r.Time.Before(end)):
			t.Errorf("request %d arrived %v after the window began: status %d", i, r.Time.Sub(started), r.Status)
		case last && r.Time.Before(end):
			t.Errorf("the answered request arrived %v after the window began, inside it", r.Time.Sub(started))
		}
	}
}

// Answered brackets the time a request was served, latency included.
func TestRequestLogAnsweredTime(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{Latency: 30 * time.Millisecond})
	decodePage(t, get(t, s, portsOf8888, s.IssueToken(DefaultTenantID)))
	reqs := s.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	if served := reqs[0].Answered.Sub(reqs[0].Time); served < 30*time.Millisecond {
		t.Errorf("answered %v after arrival, want at least the 30ms latency", served)
	}
}

// A fault that only delays an answer leaves its paging alone: the last page
// of a host still has no nextLink.
func TestDelayingFaultsKeepTheLastPageLast(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	tok := s.IssueToken(DefaultTenantID)
	for _, f := range []Fault{
		{Route: RouteList, Kind: KindLatency, Latency: time.Millisecond},
		{Route: RouteList, Kind: KindSlowBody, Latency: time.Millisecond},
	} {
		s.AddFault(f)
		if p := decodePage(t, get(t, s, portsOf8888, tok)); p.NextLink != "" || len(p.Value) != 1 {
			t.Errorf("%v: %d ports, nextLink %q; want the one page alone", f.Kind, len(p.Value), p.NextLink)
		}
	}
}
