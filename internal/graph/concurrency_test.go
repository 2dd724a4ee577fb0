package graph

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph/fakegraphtest"
)

func TestNewClientRefusesNegativeMaxConcurrentRequests(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{})
	opts := testOptions(t, s)
	opts.MaxConcurrentRequests = -1
	if _, err := NewClient(opts); err == nil || !strings.Contains(err.Error(), "-1") {
		t.Errorf("NewClient: %v, want the negative limit refused", err)
	}
	opts.MaxConcurrentRequests = 0
	if c := newClient(t, opts); c.maxConcurrent != DefaultMaxConcurrentRequests {
		t.Errorf("limit %d, want the default %d", c.maxConcurrent, DefaultMaxConcurrentRequests)
	}
}

// A fleet read fills the limit and never exceeds it, as the emulator sees
// it: 20 hosts with latency and a limit of 4 keep exactly 4 in flight.
func TestFleetReadKeepsTheLimitInFlight(t *testing.T) {
	s := fleetEmulator(t, 20, 3, 20*time.Millisecond)
	opts := testOptions(t, s)
	opts.MaxConcurrentRequests = 4
	c := newClient(t, opts)
	for _, r := range c.ListPortsOfHosts(context.Background(), s.Data().Hosts(), QueryOptions{}) {
		if r.Err != nil {
			t.Fatalf("host %s: %v", r.HostID, r.Err)
		}
	}
	if n := s.MaxInFlight(); n != 4 {
		t.Errorf("the emulator had at most %d requests in flight, want the limit of 4", n)
	}
}

// The limit holds across every call of one client: a fleet read, single
// listings and single reads running together share the same 4 slots.
func TestLimitIsSharedByAllCalls(t *testing.T) {
	s := fleetEmulator(t, 20, 3, 20*time.Millisecond)
	opts := testOptions(t, s)
	opts.MaxConcurrentRequests = 4
	c := newClient(t, opts)
	hosts := s.Data().Hosts()
	portID := s.Data().PortIDs(hosts[0])[0]
	var wg sync.WaitGroup
	wg.Go(func() {
		for _, r := range c.ListPortsOfHosts(context.Background(), hosts, QueryOptions{}) {
			if r.Err != nil {
				t.Errorf("fleet, host %s: %v", r.HostID, r.Err)
			}
		}
	})
	for range 4 {
		wg.Go(func() {
			for _, host := range hosts[:5] {
				if _, err := c.ListHostPorts(context.Background(), host, QueryOptions{}); err != nil {
					t.Errorf("host %s: %v", host, err)
				}
			}
		})
		wg.Go(func() {
			for range 5 {
				if _, err := c.GetHostPort(context.Background(), portID, QueryOptions{}); err != nil {
					t.Errorf("hostPort %s: %v", portID, err)
				}
			}
		})
	}
	wg.Wait()
	if n := s.MaxInFlight(); n != 4 {
		t.Errorf("the emulator had at most %d requests in flight, want the limit of 4", n)
	}
}

// A slot is held until the body is read, not only until the headers
// arrive: with a limit of 1, a second call cannot start while the first
// call's body is still streaming in.
func TestSlotIsHeldUntilTheBodyIsRead(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{})
	// The headers and half of the page, then a pause before the rest.
	const pause = 300 * time.Millisecond
	s.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Kind: fakegraph.KindSlowBody, Latency: pause})
	opts := testOptions(t, s)
	opts.MaxConcurrentRequests = 1
	c := newClient(t, opts)
	listed := make(chan error, 1)
	go func() {
		_, err := c.ListHostPorts(context.Background(), "8.8.8.8", QueryOptions{})
		listed <- err
	}()
	fakegraphtest.WaitFor(t, "the slow answer's headers", func() bool {
		reqs := graphRequests(s)
		return len(reqs) == 1 && reqs[0].Status == http.StatusOK
	})
	if _, err := c.GetHostPort(context.Background(), "not-a-port", QueryOptions{}); !IsNotFound(err) {
		t.Fatal(err)
	}
	if err := <-listed; err != nil {
		t.Fatal(err)
	}
	reqs := graphRequests(s)
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	if end := reqs[0].Answered.Add(pause); reqs[1].Time.Before(end) {
		t.Errorf("the second request started %v after the first was answered, before its body had all arrived", reqs[1].Time.Sub(reqs[0].Answered))
	}
}

// sentWithin lists the requests that arrived in [from, to).
func sentWithin(reqs []fakegraph.Request, from, to time.Time) []fakegraph.Request {
	var out []fakegraph.Request
	for _, r := range reqs {
		if !r.Time.Before(from) && r.Time.Before(to) {
			out = append(out, r)
		}
	}
	return out
}

// One host's 429 with Retry-After holds back every host: no request starts
// until the Retry-After has passed, the requests already on their way
// finish, and then every host completes.
func TestThrottlingIsShared(t *testing.T) {
	const latency = 100 * time.Millisecond
	s := fleetEmulator(t, 20, 3, latency)
	hosts := s.Data().Hosts()
	throttled := hosts[1]
	s.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Host: throttled, Kind: fakegraph.KindThrottle, RetryAfter: "0.5"})
	opts := testOptions(t, s)
	opts.MaxConcurrentRequests = 4
	c := newClient(t, opts)
	for _, r := range c.ListPortsOfHosts(context.Background(), hosts, QueryOptions{}) {
		if r.Err != nil {
			t.Errorf("host %s: %v", r.HostID, r.Err)
		} else if r.Value.Pages != 3 {
			t.Errorf("host %s: %d pages", r.HostID, r.Value.Pages)
		}
	}

	reqs := graphRequests(s)
	var answer fakegraph.Request
	for _, r := range reqs {
		if r.Status == http.StatusTooManyRequests {
			answer = r
		}
	}
	if answer.Answered.IsZero() {
		t.Fatal("no 429 in the log")
	}
	// Requests sent before the client read the 429 may arrive just after
	// it was answered; they are in flight, not new. A grace well below the
	// latency tells them apart from requests started after the 429, which
	// without a shared window would come every 100 ms.
	const grace = 60 * time.Millisecond
	window := answer.Answered.Add(500 * time.Millisecond)
	if early := sentWithin(reqs, answer.Answered.Add(grace), window); len(early) > 0 {
		for _, r := range early {
			t.Errorf("%s started %v after the 429, inside its 0.5 s Retry-After", pathOf(r), r.Time.Sub(answer.Answered))
		}
	}
	if len(reqs) != len(hosts)*3+1 {
		t.Errorf("%d requests, want every page once and the throttled one twice", len(reqs))
	}
}

// Throttling that never stops fails each host once Graph has throttled for
// longer than ThrottleTimeout, however many retries are allowed, with the
// throttling error: the 429's status, Retry-After and request-id, and
// IsThrottled.
func TestPersistentThrottlingFailsEachHostAfterTheThrottleTimeout(t *testing.T) {
	s := fleetEmulator(t, 5, 1, 0)
	s.ThrottleFor(time.Hour, "0.05")
	opts := testOptions(t, s)
	opts.Retry.MaxRetries = 20
	opts.Retry.ThrottleTimeout = 400 * time.Millisecond
	opts.MaxConcurrentRequests = 2
	c := newClient(t, opts)
	started := time.Now()
	results := c.ListPortsOfHosts(context.Background(), s.Data().Hosts(), QueryOptions{})
	if took := time.Since(started); took < 400*time.Millisecond || took > 2*time.Second {
		t.Errorf("the read failed after %s, want soon after the 400ms throttle timeout", took)
	}
	for _, r := range results {
		var graphErr *Error
		if r.Value != nil || !IsThrottled(r.Err) || !errors.As(r.Err, &graphErr) {
			t.Errorf("host %s: %v, %v; want the throttling error", r.HostID, r.Value, r.Err)
			continue
		}
		if graphErr.RetryAfter != "0.05" || graphErr.RequestID == "" || graphErr.Code != "TooManyRequests" ||
			!containsAll(r.Err.Error(), "Retry-After: 0.05", graphErr.RequestID, "every request of this client with 429", "400ms throttling timeout") {
			t.Errorf("host %s: %q, want the 429's code, Retry-After and request-id, and the timeout", r.HostID, r.Err)
		}
	}
	// The timeout ended those reads, not the client: once Graph accepts
	// requests again, a later read of the same client is sent and succeeds.
	s.ThrottleFor(0, "")
	time.Sleep(100 * time.Millisecond)
	for _, r := range c.ListPortsOfHosts(context.Background(), s.Data().Hosts(), QueryOptions{}) {
		if r.Err != nil {
			t.Errorf("host %s, read after the throttling ended: %v", r.HostID, r.Err)
		}
	}
}

// A 429 spends none of a call's retries: with retries disabled, a host
// throttled three times is still read, and so are the others.
func TestThrottlingSpendsNoRetry(t *testing.T) {
	s := fleetEmulator(t, 3, 1, 0)
	hosts := s.Data().Hosts()
	s.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Host: hosts[0], Kind: fakegraph.KindThrottle, RetryAfter: "0.1", Times: 3})
	opts := testOptions(t, s)
	opts.Retry.MaxRetries = -1
	c := newClient(t, opts)
	for _, r := range c.ListPortsOfHosts(context.Background(), hosts, QueryOptions{}) {
		if r.Err != nil {
			t.Errorf("host %s: %v", r.HostID, r.Err)
		}
	}
	throttled := 0
	for _, r := range graphRequests(s) {
		if r.Status == http.StatusTooManyRequests {
			throttled++
		}
	}
	if throttled != 3 {
		t.Errorf("%d requests answered 429, want the 3 the fault made", throttled)
	}
}

// Requests wait their turn in the order they first asked: after a
// Retry-After, the throttled request goes before the ones that came later.
func TestThrottledRequestGoesFirst(t *testing.T) {
	s := fleetEmulator(t, 6, 1, 0)
	hosts := s.Data().Hosts()
	s.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Host: hosts[0], Kind: fakegraph.KindThrottle, RetryAfter: "0.3"})
	opts := testOptions(t, s)
	opts.MaxConcurrentRequests = 1
	c := newClient(t, opts)
	for _, r := range c.ListPortsOfHosts(context.Background(), hosts, QueryOptions{}) {
		if r.Err != nil {
			t.Errorf("host %s: %v", r.HostID, r.Err)
		}
	}
	reqs := graphRequests(s)
	if len(reqs) != 7 || reqs[0].Status != http.StatusTooManyRequests || pathOf(reqs[1]) != pathOf(reqs[0]) {
		var paths []string
		for _, r := range reqs {
			paths = append(paths, fmt.Sprintf("%s %d", pathOf(r), r.Status))
		}
		t.Errorf("requests in order: %v; want the throttled host's again right after its 429", paths)
	}
}

// Cancelling a read while its requests wait out a Retry-After ends it at
// once, not when the Retry-After ends.
func TestCancellationDuringAThrottlingWait(t *testing.T) {
	s := fleetEmulator(t, 4, 1, 0)
	s.ThrottleFor(time.Hour, "30")
	opts := testOptions(t, s)
	opts.Retry.MaxRetryDelay = time.Minute
	c := newClient(t, opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan []HostPortsResult)
	go func() { done <- c.ListPortsOfHosts(ctx, s.Data().Hosts(), QueryOptions{}) }()
	deadline := time.Now().Add(5 * time.Second)
	for len(graphRequests(s)) == 0 || c.gate.throttledError() == nil {
		if time.Now().After(deadline) {
			t.Fatal("the client never saw the 429")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancelled := time.Now()
	cancel()
	select {
	case results := <-done:
		if took := time.Since(cancelled); took > time.Second {
			t.Errorf("the read ended %s after it was cancelled", took)
		}
		for _, r := range results {
			if !errors.Is(r.Err, context.Canceled) {
				t.Errorf("host %s: %v, want the cancellation", r.HostID, r.Err)
			}
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the read did not end within 5 s of its cancellation")
	}
}

// A Retry-After beyond MaxRetryDelay fails the throttled call at once, as
// before, and every call that would have had to wait it out fails at once
// too, with the same throttling answer, instead of stalling the plan.
func TestThrottlingBeyondMaxRetryDelayFailsEveryCallAtOnce(t *testing.T) {
	s := fleetEmulator(t, 4, 1, 0)
	hosts := s.Data().Hosts()
	s.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Host: hosts[0], Kind: fakegraph.KindThrottle, RetryAfter: "120"})
	opts := testOptions(t, s) // MaxRetryDelay 5 s
	opts.MaxConcurrentRequests = 1
	c := newClient(t, opts)
	started := time.Now()
	results := c.ListPortsOfHosts(context.Background(), hosts, QueryOptions{})
	if took := time.Since(started); took > 2*time.Second {
		t.Errorf("took %v", took)
	}
	reqs := graphRequests(s)
	if len(reqs) != 1 || reqs[0].Status != http.StatusTooManyRequests {
		t.Fatalf("requests %v, want the one 429 alone", reqs)
	}
	var first *Error
	if !errors.As(results[0].Err, &first) || !IsThrottled(results[0].Err) {
		t.Fatalf("host %s: %v", hosts[0], results[0].Err)
	}
	for _, r := range results[1:] {
		var graphErr *Error
		if r.Value != nil || !IsThrottled(r.Err) || !errors.As(r.Err, &graphErr) || graphErr.RequestID != first.RequestID ||
			!containsAll(r.Err.Error(), "not sent", "Retry-After: 120", first.RequestID) {
			t.Errorf("host %s: %v; want the 429 that was not waited out", r.HostID, r.Err)
		}
	}
}

// A 503 with Retry-After opens the window too: a call made while the
// throttled call waits to retry waits with it.
func TestServiceUnavailableWithRetryAfterIsShared(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{})
	s.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Kind: fakegraph.KindServiceUnavailable, RetryAfter: "0.3"})
	opts := testOptions(t, s)
	// The log hook runs once the answer has passed the gate, so it tells
	// when the client itself has seen the 503.
	seen := make(chan struct{})
	var once sync.Once
	opts.Log = func(_ context.Context, _ string, fields map[string]any) {
		if fields["status"] == http.StatusServiceUnavailable {
			once.Do(func() { close(seen) })
		}
	}
	c := newClient(t, opts)
	listed := make(chan error, 1)
	go func() {
		_, err := c.ListHostPorts(context.Background(), "8.8.8.8", QueryOptions{})
		listed <- err
	}()
	<-seen
	if _, err := c.GetHostPort(context.Background(), "not-a-port", QueryOptions{}); !IsNotFound(err) {
		t.Fatal(err)
	}
	if err := <-listed; err != nil {
		t.Fatal(err)
	}
	reqs := graphRequests(s)
	if len(reqs) != 3 || reqs[0].Status != http.StatusServiceUnavailable {
		t.Fatalf("statuses %v", reqs)
	}
	for _, r := range reqs[1:] {
		if r.Time.Before(reqs[0].Answered.Add(300 * time.Millisecond)) {
			t.Errorf("%s started %v after the 503, inside its Retry-After", pathOf(r), r.Time.Sub(reqs[0].Answered))
		}
	}
}

// The time a request waits for its turn does not count against its time
// limit (request_timeout): a read held back by a Retry-After longer than the
// limit, with no retries allowed, still succeeds.
func TestWaitingIsNotPartOfTheAttemptTimeout(t *testing.T) {
	s := fleetEmulator(t, 2, 1, 0)
	hosts := s.Data().Hosts()
	s.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Host: hosts[0], Kind: fakegraph.KindThrottle, RetryAfter: "1"})
	opts := testOptions(t, s)
	opts.Retry.TryTimeout = 300 * time.Millisecond
	opts.Retry.MaxRetries = -1
	c := newClient(t, opts)
	for _, r := range c.ListPortsOfHosts(context.Background(), hosts, QueryOptions{}) {
		if r.Err != nil {
			t.Errorf("host %s: %v; want it read once the Retry-After passed", r.HostID, r.Err)
		}
	}
}

// throttledError is the latest throttling answer the gate has seen; nil
// before any.
func (g *requestGate) throttledError() *Error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.throttled
}
