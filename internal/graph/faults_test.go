package graph

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph/fakegraphtest"
	"go.uber.org/goleak"
)

// slowGuessOptions make azcore's own back-off so long that a test only
// finishes in time when the client honoured Graph's Retry-After: without it,
// the first retry would wait 24 s or more.
func slowGuessOptions(t *testing.T, s *fakegraph.Server) Options {
	opts := testOptions(t, s)
	opts.Retry = RetryOptions{RetryDelay: 30 * time.Second, MaxRetryDelay: 60 * time.Second}
	return opts
}

func TestRetryAfterIsHonoured(t *testing.T) {
	after := func(d time.Duration) func(time.Time) time.Time {
		return func(first time.Time) time.Time { return first.Add(d) }
	}
	for name, retryAfter := range map[string]func() (value string, earliest func(first time.Time) time.Time){
		"whole seconds": func() (string, func(time.Time) time.Time) { return "1", after(time.Second) },
		"fractional":    func() (string, func(time.Time) time.Time) { return "0.2", after(200 * time.Millisecond) },
		"zero":          func() (string, func(time.Time) time.Time) { return "0", after(0) },
		"HTTP date": func() (string, func(time.Time) time.Time) {
			at := time.Now().Add(2 * time.Second).UTC().Truncate(time.Second)
			return at.Format(http.TimeFormat), func(time.Time) time.Time { return at }
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := fakegraphtest.Start(t, fakegraph.Config{})
			value, earliest := retryAfter()
			s.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Kind: fakegraph.KindThrottle, RetryAfter: value})
			c := newClient(t, slowGuessOptions(t, s))
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			list, err := c.ListHostPorts(ctx, "8.8.8.8", QueryOptions{})
			if err != nil {
				t.Fatalf("Retry-After %q: %v (a 30 s exponential guess instead of the header?)", value, err)
			}
			if len(list.Items) != 1 {
				t.Errorf("%d ports", len(list.Items))
			}
			reqs := graphRequests(s)
			if len(reqs) != 2 || reqs[0].Status != http.StatusTooManyRequests || reqs[1].Status != http.StatusOK {
				t.Fatalf("requests %+v, want a 429 then a 200", reqs)
			}
			if want := earliest(reqs[0].Time); reqs[1].Time.Before(want) {
				t.Errorf("retried at %v, before %v as Retry-After %q asked", reqs[1].Time, want, value)
			}
			if late := reqs[1].Time.Sub(earliest(reqs[0].Time)); late > 3*time.Second {
				t.Errorf("retried %v later than Retry-After %q asked", late, value)
			}
		})
	}
}

func TestTransientErrorsAreRetried(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{})
	s.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Kind: fakegraph.KindServiceUnavailable, Times: 2})
	s.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Kind: fakegraph.KindGatewayTimeout, Times: 2})
	c := newClient(t, testOptions(t, s))
	list, err := c.ListHostPorts(context.Background(), "8.8.8.8", QueryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 || list.Pages != 1 {
		t.Errorf("%d ports in %d pages", len(list.Items), list.Pages)
	}
	var statuses []int
	for _, r := range graphRequests(s) {
		statuses = append(statuses, r.Status)
	}
	if want := []int{503, 503, 504, 504, 200}; !equalInts(statuses, want) {
		t.Errorf("statuses %v, want %v", statuses, want)
	}
}

// A retry in the middle of paging repeats only the page that failed.
func TestRetryMidPagingRefetchesOnlyThatPage(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{PageSize: 100})
	s.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Nth: 2, Kind: fakegraph.KindThrottle, RetryAfter: "0"})
	c := newClient(t, testOptions(t, s))
	list, err := c.ListHostPorts(context.Background(), fakegraph.SamplePagingHost, QueryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 250 || list.Pages != 3 {
		t.Errorf("%d ports in %d pages", len(list.Items), list.Pages)
	}
	reqs := graphRequests(s)
	if len(reqs) != 4 || pathOf(reqs[1]) != pathOf(reqs[2]) || reqs[1].Status != 429 {
		t.Errorf("requests %+v, want page 2 sent twice around a 429", reqs)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Transient failures spend the retries; throttling does not (see
// TestPersistentThrottlingFailsEachHostAfterTheThrottleTimeout).
func TestRetriesExhausted(t *testing.T) {
	for _, tc := range []struct {
		kind      fakegraph.FaultKind
		status    int
		throttled bool
	}{
		{fakegraph.KindServiceUnavailable, 503, false},
		{fakegraph.KindGatewayTimeout, 504, false},
		{fakegraph.KindEmptyBody500, 500, false},
		{fakegraph.KindHTMLError, 502, false},
	} {
		t.Run(tc.kind.String(), func(t *testing.T) {
			s := fakegraphtest.Start(t, fakegraph.Config{})
			s.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Kind: tc.kind, Times: -1, RetryAfter: "0"})
			opts := testOptions(t, s)
			opts.Retry.MaxRetries = 2
			rec := &recordingTransport{next: opts.Transport}
			opts.Transport = rec
			c := newClient(t, opts)
			list, err := c.ListHostPorts(context.Background(), "8.8.8.8", QueryOptions{})
			if list != nil {
				t.Errorf("a result came back with the error")
			}
			var graphErr *Error
			if !errors.As(err, &graphErr) {
				t.Fatalf("%v (%T), want an *Error", err, err)
			}
			if graphErr.StatusCode != tc.status || IsThrottled(err) != tc.throttled {
				t.Errorf("status %d throttled %v, want %d %v", graphErr.StatusCode, IsThrottled(err), tc.status, tc.throttled)
			}
			if n := len(graphRequests(s)); n != 3 {
				t.Errorf("%d requests, want 3 (1 + MaxRetries 2)", n)
			}
			ex := rec.exchanges()
			last := ex[len(ex)-1]
			if last.requestID == "" || graphErr.RequestID != last.requestID || !strings.Contains(err.Error(), last.requestID) {
				t.Errorf("error %q should carry the last answer's request-id %q", err, last.requestID)
			}
			if graphErr.RetryAfter != "0" {
				t.Errorf("RetryAfter %q, want the header kept", graphErr.RetryAfter)
			}
		})
	}
}

// A Retry-After longer than MaxRetryDelay ends the call with the 429 at
// once instead of stalling a plan, including values too large for a
// time.Duration, which must not pass for "no Retry-After" and fall back to
// azcore's short exponential guess.
func TestRetryAfterBeyondMaxRetryDelayStopsAtOnce(t *testing.T) {
	for _, retryAfter := range []string{
		"120",
		"10000000000",          // 317 years: more seconds than a Duration holds
		"99999999999999999999", // more than an int64 holds
		"9223372036.8547",      // just under the Duration limit
		"Fri, 31 Dec 9999 23:59:59 GMT",
	} {
		t.Run(retryAfter, func(t *testing.T) {
			s := fakegraphtest.Start(t, fakegraph.Config{})
			s.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Kind: fakegraph.KindThrottle, Times: -1, RetryAfter: retryAfter})
			c := newClient(t, testOptions(t, s)) // MaxRetryDelay 5 s
			started := time.Now()
			_, err := c.ListHostPorts(context.Background(), "8.8.8.8", QueryOptions{})
			if !IsThrottled(err) {
				t.Fatalf("%v, want the 429", err)
			}
			var graphErr *Error
			if errors.As(err, &graphErr) && graphErr.RetryAfter != retryAfter {
				t.Errorf("RetryAfter %q, want %q", graphErr.RetryAfter, retryAfter)
			}
			if !strings.Contains(err.Error(), "Retry-After: "+retryAfter) || !strings.Contains(err.Error(), `"TooManyRequests"`) {
				t.Errorf("message %q should show the code and the Retry-After", err)
			}
			if n := len(graphRequests(s)); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
			if took := time.Since(started); took > 2*time.Second {
				t.Errorf("took %v", took)
			}
		})
	}
}

// Retry-After values that are not delta-seconds or a date are ignored, as
// if absent: the call is retried with the client's own back-off.
func TestGarbageRetryAfterFallsBackToBackOff(t *testing.T) {
	for _, retryAfter := range []string{"soon", "1e300", "Inf", "-3"} {
		s := fakegraphtest.Start(t, fakegraph.Config{})
		s.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Kind: fakegraph.KindThrottle, RetryAfter: retryAfter})
		c := newClient(t, testOptions(t, s))
		if _, err := c.ListHostPorts(context.Background(), "8.8.8.8", QueryOptions{}); err != nil {
			t.Errorf("Retry-After %q: %v", retryAfter, err)
		}
		if n := len(graphRequests(s)); n != 2 {
			t.Errorf("Retry-After %q: %d requests, want 2", retryAfter, n)
		}
	}
}

func TestClientErrorsAreNotRetried(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{})
	c := newClient(t, testOptions(t, s))
	for _, tc := range []struct {
		status int
		code   string
	}{{400, "BadRequest"}, {401, "InvalidAuthenticationToken"}, {403, "accessDenied"}, {404, "itemNotFound"}, {405, "Request_BadRequest"}} {
		s.ResetLog()
		s.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Kind: fakegraph.KindGraphError, Status: tc.status, Code: tc.code, Times: -1})
		_, err := c.ListHostPorts(context.Background(), "8.8.8.8", QueryOptions{})
		var graphErr *Error
		if !errors.As(err, &graphErr) || graphErr.StatusCode != tc.status || graphErr.Code != tc.code {
			t.Errorf("%d: %v", tc.status, err)
		}
		if n := len(graphRequests(s)); n != 1 {
			t.Errorf("%d: %d requests, want exactly 1", tc.status, n)
		}
		s.ClearFaults()
	}
}

// A 200 whose body arrived whole but does not decode (invalid JSON, or JSON
// the server cut short inside a well-framed message) is fetched once and
// returns an error, never a partial result, whether the first or a later
// page is bad. Bodies that break off on the way are retried instead (see
// broken_page_test.go).
func TestWholeBodiesThatDoNotDecodeAreNotRetried(t *testing.T) {
	for _, kind := range []fakegraph.FaultKind{fakegraph.KindTruncatedJSON, fakegraph.KindInvalidJSON} {
		for _, nth := range []int{1, 2} {
			t.Run(kind.String()+"/page"+string(rune('0'+nth)), func(t *testing.T) {
				s := fakegraphtest.Start(t, fakegraph.Config{PageSize: 100})
				s.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Nth: nth, Kind: kind})
				c := newClient(t, testOptions(t, s))
				list, err := c.ListHostPorts(context.Background(), fakegraph.SamplePagingHost, QueryOptions{})
				if err == nil || list != nil {
					t.Fatalf("got a result %v, %v; want an error and no result", list != nil, err)
				}
				if !strings.Contains(err.Error(), "page "+string(rune('0'+nth))) {
					t.Errorf("%q should name page %d", err, nth)
				}
				if n := len(graphRequests(s)); n != nth {
					t.Errorf("%d requests, want %d", n, nth)
				}
			})
		}
	}
	t.Run("single port", func(t *testing.T) {
		s := fakegraphtest.Start(t, fakegraph.Config{})
		c := newClient(t, testOptions(t, s))
		for _, kind := range []fakegraph.FaultKind{fakegraph.KindTruncatedJSON, fakegraph.KindInvalidJSON} {
			s.ResetLog()
			s.AddFault(fakegraph.Fault{Route: fakegraph.RouteGet, Kind: kind})
			port, err := c.GetHostPort(context.Background(), referenceHostPort().ID, QueryOptions{})
			if err == nil || port != nil {
				t.Errorf("%s: got a result %v, %v; want an error and no result", kind, port != nil, err)
			}
			if n := len(graphRequests(s)); n != 1 {
				t.Errorf("%s: %d requests, want 1", kind, n)
			}
		}
		for _, kind := range []fakegraph.FaultKind{fakegraph.KindTruncatedJSON, fakegraph.KindInvalidJSON} {
			s.ResetLog()
			s.AddFault(fakegraph.Fault{Route: fakegraph.RouteCount, Kind: kind})
			if n, err := c.CountHostPorts(context.Background(), "8.8.8.8"); err == nil {
				t.Errorf("count with %s: %d, want an error", kind, n)
			}
			if n := len(graphRequests(s)); n != 1 {
				t.Errorf("count with %s: %d requests, want 1", kind, n)
			}
		}
	})
}

func TestHostileNextLinksAreRefused(t *testing.T) {
	for _, tc := range []struct {
		kind fakegraph.FaultKind
		want string
	}{
		{fakegraph.KindForeignNextLink, "refused to follow @odata.nextLink https://localhost:"},
		{fakegraph.KindHTTPNextLink, "refused to follow @odata.nextLink http://127.0.0.1:"},
		{fakegraph.KindLoopingNextLink, "links back to a page already fetched"},
	} {
		t.Run(tc.kind.String(), func(t *testing.T) {
			for _, host := range []string{"8.8.8.8", fakegraph.SamplePagingHost} {
				s := fakegraphtest.Start(t, fakegraph.Config{})
				s.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Kind: tc.kind})
				opts := testOptions(t, s)
				cred := &staticCredential{s: s}
				opts.Credential = cred
				c := newClient(t, opts)
				list, err := c.ListHostPorts(context.Background(), host, QueryOptions{})
				if err == nil || list != nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("%s: got a result %v, %v; want an error containing %q", host, list != nil, err, tc.want)
				}
				if n := len(graphRequests(s)); n != 1 {
					t.Errorf("%s: %d Graph requests, want 1", host, n)
				}
				if f := requestsFrom(s, fakegraph.OriginForeign); len(f) != 0 {
					t.Errorf("%s: the foreign origin was contacted: %+v", host, f)
				}
				if n := cred.calls.Load(); n != 1 {
					t.Errorf("%s: %d tokens fetched, want 1", host, n)
				}
			}
		})
	}
}

// A loop that starts on a later page is caught when it closes.
func TestLoopOnALaterPage(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{PageSize: 100})
	s.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Nth: 2, Kind: fakegraph.KindLoopingNextLink})
	c := newClient(t, testOptions(t, s))
	_, err := c.ListHostPorts(context.Background(), fakegraph.SamplePagingHost, QueryOptions{})
	if err == nil || !strings.Contains(err.Error(), "page 2 of host "+fakegraph.SamplePagingHost+" links back") {
		t.Fatalf("%v", err)
	}
	if n := len(graphRequests(s)); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestMaxPages(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{PageSize: 100})
	opts := testOptions(t, s)
	opts.MaxPages = 2
	c := newClient(t, opts)
	list, err := c.ListHostPorts(context.Background(), fakegraph.SamplePagingHost, QueryOptions{})
	if err == nil || list != nil || !strings.Contains(err.Error(), "stopped after 2 pages") {
		t.Fatalf("got a result %v, %v", list != nil, err)
	}
	if n := len(graphRequests(s)); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
	// Two pages are enough for 200 ports.
	if list, err := c.ListHostPorts(context.Background(), fakegraph.SamplePagingHost, QueryOptions{Top: 200}); err != nil || len(list.Items) != 200 {
		t.Errorf("top 200 under MaxPages 2: %v", err)
	}
}

func TestRedirectToForeignHostIsRefused(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{})
	s.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Kind: fakegraph.KindRedirectForeign, Times: -1})
	c := newClient(t, testOptions(t, s))
	list, err := c.ListHostPorts(context.Background(), "8.8.8.8", QueryOptions{})
	if err == nil || list != nil || !strings.Contains(err.Error(), "refused a redirect") {
		t.Fatalf("got a result %v, %v", list != nil, err)
	}
	if f := requestsFrom(s, fakegraph.OriginForeign); len(f) != 0 {
		t.Errorf("the foreign origin was contacted: %+v", f)
	}
	if r := graphRequests(s); len(r) != 1 || r[0].Status != http.StatusFound {
		t.Errorf("requests %+v, want one 302, not retried", r)
	}
}

// The origin guard stops a request to another origin before any token is
// fetched for it, whatever path the URL took into the pipeline.
func TestOriginGuard(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{})
	opts := testOptions(t, s)
	cred := &staticCredential{s: s}
	opts.Credential = cred
	c := newClient(t, opts)
	for _, link := range []string{
		s.ForeignURL() + graphPrefix + "hosts/8.8.8.8/ports",
		"http" + strings.TrimPrefix(s.URL(), "https") + graphPrefix + "hosts/8.8.8.8/ports",
	} {
		err := c.fetch(context.Background(), link, "a page", func(io.Reader) error { return nil })
		var origin *originError
		if !errors.As(err, &origin) {
			t.Errorf("%s: %v, want an origin error", link, err)
		}
	}
	if len(s.Requests()) != 0 || cred.calls.Load() != 0 {
		t.Errorf("%d requests, %d tokens", len(s.Requests()), cred.calls.Load())
	}
}

func TestTryTimeout(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{})
	s.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Kind: fakegraph.KindLatency, Latency: 2 * time.Second, Times: -1})
	opts := testOptions(t, s)
	opts.Retry.TryTimeout = 200 * time.Millisecond
	opts.Retry.MaxRetries = 1
	c := newClient(t, opts)
	started := time.Now()
	list, err := c.ListHostPorts(context.Background(), "8.8.8.8", QueryOptions{})
	took := time.Since(started)
	if err == nil || list != nil || !containsAll(err.Error(), "timed out", "200ms") {
		t.Fatalf("got a result %v, %v; want a timeout naming the 200ms limit", list != nil, err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("%v should wrap context.DeadlineExceeded", err)
	}
	if took > 1500*time.Millisecond {
		t.Errorf("took %v; each attempt should stop after 200ms", took)
	}
	if n := len(graphRequests(s)); n != 2 {
		t.Errorf("%d requests, want 2 (1 + MaxRetries 1)", n)
	}
}

// TryTimeout also bounds reading the body of a 200, not only the headers.
func TestTryTimeoutCoversTheBody(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{PageSize: 100})
	opts := testOptions(t, s)
	opts.Retry.TryTimeout = 500 * time.Millisecond
	stall := &stallingTransport{next: opts.Transport, release: make(chan struct{})}
	t.Cleanup(func() { close(stall.release) })
	opts.Transport = stall
	c := newClient(t, opts)
	started := time.Now()
	_, err := c.ListHostPorts(context.Background(), fakegraph.SamplePagingHost, QueryOptions{})
	if err == nil || !containsAll(err.Error(), "reading page 1", "timed out", "500ms") {
		t.Fatalf("%v, want a timeout", err)
	}
	if took := time.Since(started); took > 5*time.Second {
		t.Errorf("took %v", took)
	}
}

// stallingTransport hands back bodies that deliver a few bytes and then
// block until the request's context ends, like a stalled connection.
type stallingTransport struct {
	next    http.RoundTripper
	release chan struct{}
}

func (st *stallingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := st.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = &stallingBody{ReadCloser: resp.Body, ctx: req.Context(), release: st.release}
	return resp, nil
}

type stallingBody struct {
	io.ReadCloser
	ctx     context.Context
	release chan struct{}
	sent    bool
}

func (b *stallingBody) Read(p []byte) (int, error) {
	if !b.sent {
		b.sent = true
		return b.ReadCloser.Read(p[:min(len(p), 20)])
	}
	select {
	case <-b.ctx.Done():
		return 0, b.ctx.Err()
	case <-b.release:
		return 0, errors.New("released")
	}
}

func TestCancellationIsPrompt(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	s := fakegraphtest.Start(t, fakegraph.Config{})
	s.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Kind: fakegraph.KindLatency, Latency: 30 * time.Second})
	transport := NewTransport(s.CertPool())
	c, err := NewClient(Options{Endpoint: s.URL(), Credential: &staticCredential{s: s}, Transport: transport})
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	type result struct {
		list *HostPortList
		err  error
	}
	done := make(chan result, 1)
	go func() {
		list, err := c.ListHostPorts(ctx, "8.8.8.8", QueryOptions{})
		done <- result{list, err}
	}()
	fakegraphtest.WaitFor(t, "the request to reach the emulator", func() bool { return len(graphRequests(s)) == 1 })
	cancel()
	started := time.Now()
	select {
	case r := <-done:
		if r.list != nil || !errors.Is(r.err, context.Canceled) || !strings.Contains(r.err.Error(), "cancelled") {
			t.Errorf("got a result %v, %v; want context.Canceled in the chain", r.list != nil, r.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ListHostPorts did not return after cancellation")
	}
	if took := time.Since(started); took > time.Second {
		t.Errorf("returned %v after cancellation", took)
	}
	if n := len(graphRequests(s)); n != 1 {
		t.Errorf("%d requests; a cancelled call must not be retried", n)
	}
	s.Close()
	transport.CloseIdleConnections()
}
