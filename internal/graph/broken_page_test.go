package graph

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph/fakegraphtest"
)

// brokenBody is one way a 200 body can break off on its way to the client.
type brokenBody struct {
	name       string
	fault      fakegraph.Fault
	http1      bool          // the client speaks HTTP/1.1 only
	tryTimeout time.Duration // RetryOptions.TryTimeout
	// firstError is what the broken attempt's error says, as the client
	// logs it: proof that the break really happened the way the case says.
	firstError string
}

var brokenBodies = []brokenBody{{
	name:       "unexpected EOF",
	fault:      fakegraph.Fault{Kind: fakegraph.KindResetMidBody},
	http1:      true,
	firstError: "unexpected EOF",
}, {
	name:       "HTTP/2 stream error",
	fault:      fakegraph.Fault{Kind: fakegraph.KindResetMidBody},
	firstError: "stream error",
}, {
	name:       "connection reset",
	fault:      fakegraph.Fault{Kind: fakegraph.KindConnectionReset},
	http1:      true,
	firstError: "connection reset by peer",
}, {
	name:       "per-attempt timeout while reading",
	fault:      fakegraph.Fault{Kind: fakegraph.KindSlowBody, Latency: time.Hour},
	tryTimeout: 2 * time.Second,
	firstError: "no complete answer within the 2s limit per attempt",
}}

// attemptLog collects the client's per-attempt log lines.
type attemptLog struct {
	mu      sync.Mutex
	entries []map[string]any
	msgs    []string
}

func (l *attemptLog) log(_ context.Context, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msgs = append(l.msgs, msg)
	l.entries = append(l.entries, fields)
}

// failed returns the fields of every attempt logged as failed.
func (l *attemptLog) failed() []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for i, msg := range l.msgs {
		if msg == "Graph request failed" {
			out = append(out, l.entries[i])
		}
	}
	return out
}

// brokenBodyOptions are testOptions speaking the protocol b needs, with the
// attempts logged into log.
func brokenBodyOptions(t *testing.T, s *fakegraph.Server, b brokenBody, log *attemptLog) Options {
	t.Helper()
	opts := testOptions(t, s)
	opts.Retry.TryTimeout = b.tryTimeout
	opts.Log = log.log
	if b.http1 {
		transport := newTransport(t, s)
		transport.Protocols = new(http.Protocols)
		transport.Protocols.SetHTTP1(true)
		opts.Transport = transport
	}
	return opts
}

// A page whose body breaks off is fetched again from the same link; the
// pages before it are kept and not fetched again, the broken attempt's
// items are dropped, and the result is exactly the host's ports.
func TestBrokenPageIsFetchedAgain(t *testing.T) {
	for _, b := range brokenBodies {
		for _, broken := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s/page %d", b.name, broken), func(t *testing.T) {
				t.Parallel()
				s := fakegraphtest.Start(t, fakegraph.Config{PageSize: 100})
				fault := b.fault
				fault.Route, fault.Nth = fakegraph.RouteList, broken
				s.AddFault(fault)
				log := &attemptLog{}
				c := newClient(t, brokenBodyOptions(t, s, b, log))

				list, err := c.ListHostPorts(context.Background(), fakegraph.SamplePagingHost, QueryOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if want := s.Data().PortIDs(fakegraph.SamplePagingHost); !reflect.DeepEqual(portIDs(list.Items), want) || list.Pages != 3 {
					t.Errorf("got %d ports in %d pages, want the host's %d in order in 3", len(list.Items), list.Pages, len(want))
				}

				reqs := graphRequests(s)
				if len(reqs) != 4 {
					t.Fatalf("%d requests, want 4: three pages and the broken one again", len(reqs))
				}
				if pathOf(reqs[broken-1]) != pathOf(reqs[broken]) || reqs[broken-1].Status != http.StatusOK {
					t.Errorf("requests %d and %d: %s (%d) then %s; want page %d twice, first answered 200",
						broken, broken+1, pathOf(reqs[broken-1]), reqs[broken-1].Status, pathOf(reqs[broken]), broken)
				}
				seen := map[string]int{}
				for _, r := range reqs {
					seen[pathOf(r)]++
				}
				if len(seen) != 3 {
					t.Errorf("%d distinct links fetched, want 3: %v", len(seen), seen)
				}
				for link, n := range seen {
					if want := map[bool]int{true: 2, false: 1}[link == pathOf(reqs[broken])]; n != want {
						t.Errorf("%s fetched %d times, want %d", link, n, want)
					}
				}

				failed := log.failed()
				if len(failed) != 1 {
					t.Fatalf("%d failed attempts logged, want 1: %v", len(failed), failed)
				}
				if msg, _ := failed[0]["error"].(string); !strings.Contains(msg, b.firstError) {
					t.Errorf("the broken attempt failed with %q, want %q", msg, b.firstError)
				}
				if failed[0]["status"] != http.StatusOK || failed[0]["request_id"] == "" {
					t.Errorf("the broken attempt was logged without its status and request-id: %v", failed[0])
				}
			})
		}
	}
}

// With top, the broken page's items are rolled back before the page is
// read again, so the result still stops at exactly top ports.
func TestBrokenPageUnderTop(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{PageSize: 100})
	s.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Nth: 2, Kind: fakegraph.KindResetMidBody})
	c := newClient(t, testOptions(t, s))
	list, err := c.ListHostPorts(context.Background(), fakegraph.SamplePagingHost, QueryOptions{Top: 150})
	if err != nil {
		t.Fatal(err)
	}
	if want := s.Data().PortIDs(fakegraph.SamplePagingHost)[:150]; !reflect.DeepEqual(portIDs(list.Items), want) {
		t.Errorf("got %d ports, want the first 150", len(list.Items))
	}
	if n := len(graphRequests(s)); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}

// A broken body spends the same budget as a 503: MaxRetries counts every
// attempt of a page, whatever failed it, and the error is the last one's.
func TestBrokenPagesShareTheRetryBudget(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{PageSize: 100})
	s.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Nth: 2, Kind: fakegraph.KindServiceUnavailable})
	s.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Nth: 3, Kind: fakegraph.KindResetMidBody, Times: -1})
	b := brokenBody{http1: true}
	opts := brokenBodyOptions(t, s, b, &attemptLog{})
	opts.Retry.MaxRetries = 2
	rec := &recordingTransport{next: opts.Transport}
	opts.Transport = rec
	c := newClient(t, opts)

	list, err := c.ListHostPorts(context.Background(), fakegraph.SamplePagingHost, QueryOptions{})
	if err == nil || list != nil {
		t.Fatalf("got a result %v, %v; want an error and no result", list != nil, err)
	}
	var statuses []int
	for _, r := range graphRequests(s) {
		statuses = append(statuses, r.Status)
	}
	if want := []int{200, 503, 200, 200}; !equalInts(statuses, want) {
		t.Errorf("statuses %v, want %v: page 1, then page 2 three times (1 + MaxRetries 2)", statuses, want)
	}
	ex := rec.exchanges()
	last := ex[len(ex)-1].requestID
	if !containsAll(err.Error(), "reading page 2 of Graph's answer failed (HTTP 200, request-id: "+last+")", "unexpected EOF") || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("%q should name page 2, the status, the last attempt's request-id %s and the break", err, last)
	}
}

// A broken body waits out azcore's back-off like any failed attempt, and
// is not sent again at once.
func TestBrokenPageWaitsTheBackOff(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{})
	s.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Kind: fakegraph.KindResetMidBody})
	opts := testOptions(t, s)
	const delay = 400 * time.Millisecond
	opts.Retry.RetryDelay = delay
	c := newClient(t, opts)
	if _, err := c.ListHostPorts(context.Background(), "contoso.com", QueryOptions{}); err != nil {
		t.Fatal(err)
	}
	reqs := graphRequests(s)
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	// azcore's first delay is RetryDelay with a jitter of 0.8 to 1.2.
	if gap := reqs[1].Time.Sub(reqs[0].Time); gap < delay*8/10 {
		t.Errorf("retried after %s, before the back-off of about %s", gap, delay)
	}
}

// The caller's cancellation while a body streams in ends the call at once,
// with no second attempt.
func TestCancelWhileReadingIsNotRetried(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{PageSize: 100})
	s.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Kind: fakegraph.KindSlowBody, Latency: time.Hour})
	opts := testOptions(t, s)
	rec := &recordingTransport{next: opts.Transport}
	opts.Transport = rec
	c := newClient(t, opts)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := c.ListHostPorts(ctx, fakegraph.SamplePagingHost, QueryOptions{})
		done <- err
	}()
	fakegraphtest.WaitFor(t, "page 1's headers to reach the client", func() bool {
		ex := rec.exchanges()
		return len(ex) == 1 && ex[0].status == http.StatusOK
	})
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "reading page 1 from Graph was cancelled") {
			t.Errorf("%v, want the cancellation of page 1", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ListHostPorts did not return after cancellation")
	}
	if n := len(graphRequests(s)); n != 1 {
		t.Errorf("%d requests; a cancelled read must not be retried", n)
	}
}

// A single read and a count that break off are fetched again too.
func TestBrokenSingleReadsAreFetchedAgain(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{})
	c := newClient(t, testOptions(t, s))
	ref := referenceHostPort()

	s.AddFault(fakegraph.Fault{Route: fakegraph.RouteGet, Kind: fakegraph.KindResetMidBody})
	port, err := c.GetHostPort(context.Background(), ref.ID, QueryOptions{Expand: []string{ExpandMostRecentSslCertificate}})
	if err != nil {
		t.Fatal(err)
	}
	assertHostPort(t, *port, ref)
	if r := graphRequests(s); len(r) != 2 || pathOf(r[0]) != pathOf(r[1]) {
		t.Errorf("requests %+v, want the hostPort fetched twice", r)
	}

	s.ResetLog()
	s.AddFault(fakegraph.Fault{Route: fakegraph.RouteCount, Kind: fakegraph.KindResetMidBody})
	n, err := c.CountHostPorts(context.Background(), fakegraph.SamplePagingHost)
	if err != nil || n != 250 {
		t.Fatalf("count %d, %v; want 250", n, err)
	}
	if r := graphRequests(s); len(r) != 2 || pathOf(r[0]) != pathOf(r[1]) {
		t.Errorf("requests %+v, want the count fetched twice", r)
	}
}
