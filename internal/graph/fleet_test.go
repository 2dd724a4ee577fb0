package graph

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph/fakegraphtest"
)

// fleetEmulator serves hosts generated hosts of ports ports, one port per
// page, so each host takes ports requests made one after another.
func fleetEmulator(t *testing.T, hosts, ports int, latency time.Duration) *fakegraph.Server {
	t.Helper()
	return fakegraphtest.Start(t, fakegraph.Config{PageSize: 1, Latency: latency, Data: fakegraph.Generate(hosts, ports, 1)})
}

func TestListPortsOfHostsInOrderEachPageOnce(t *testing.T) {
	s := fleetEmulator(t, 12, 3, 0)
	hosts := s.Data().Hosts()
	// The missing host sits in the middle, so a failure cannot spill over
	// to the hosts read after it.
	const missing = "203.0.113.250"
	hostIDs := slices.Insert(slices.Clone(hosts), 5, missing)
	slices.Reverse(hostIDs) // not the emulator's order
	opts := testOptions(t, s)
	opts.MaxConcurrentRequests = 4
	cred := &staticCredential{s: s}
	opts.Credential = cred
	c := newClient(t, opts)

	results := c.ListPortsOfHosts(context.Background(), hostIDs, QueryOptions{})
	if len(results) != len(hostIDs) {
		t.Fatalf("%d results for %d hosts", len(results), len(hostIDs))
	}
	for i, r := range results {
		if r.HostID != hostIDs[i] {
			t.Fatalf("result %d is for %s, want %s: results must keep the order of hostIDs", i, r.HostID, hostIDs[i])
		}
		if r.HostID == missing {
			if r.Value != nil || !IsNotFound(r.Err) {
				t.Errorf("missing host: list %v, error %v; want IsNotFound alone", r.Value, r.Err)
			}
			continue
		}
		if r.Err != nil {
			t.Errorf("host %s: %v", r.HostID, r.Err)
			continue
		}
		if want := s.Data().PortIDs(r.HostID); !reflect.DeepEqual(portIDs(r.Value.Items), want) || r.Value.Pages != 3 {
			t.Errorf("host %s: ports %v in %d pages, want %v in 3", r.HostID, portIDs(r.Value.Items), r.Value.Pages, want)
		}
	}

	// Every page once, and each host's pages one after another: the first
	// page, without a $skiptoken, then each nextLink sent only after the page
	// naming it was answered.
	seen := map[string]int{}
	byHost := map[string][]fakegraph.Request{}
	for _, r := range graphRequests(s) {
		seen[pathOf(r)]++
		byHost[r.Path] = append(byHost[r.Path], r)
	}
	for link, n := range seen {
		if n != 1 {
			t.Errorf("%s fetched %d times", link, n)
		}
	}
	if got, want := len(seen), len(hosts)*3+1; got != want {
		t.Errorf("%d distinct requests, want %d", got, want)
	}
	for path, reqs := range byHost {
		if path == graphPrefix+"hosts/"+missing+"/ports" {
			continue
		}
		if len(reqs) != 3 || reqs[0].RawQuery != "" {
			t.Errorf("%s: %d requests, the first with query %q", path, len(reqs), reqs[0].RawQuery)
			continue
		}
		for k := 1; k < len(reqs); k++ {
			if reqs[k].Time.Before(reqs[k-1].Answered) {
				t.Errorf("%s: page %d was sent before page %d was answered", path, k+1, k)
			}
		}
	}
	if n := cred.calls.Load(); n != 1 {
		t.Errorf("%d tokens for one fleet read, want 1", n)
	}
	if n := s.Connections(); n != 1 {
		t.Errorf("%d connections, want 1 over HTTP/2", n)
	}
}

// Options that are wrong for every host fail every host without a request.
func TestListPortsOfHostsRefusesBadOptionsOnce(t *testing.T) {
	s := fleetEmulator(t, 3, 1, 0)
	c := newClient(t, testOptions(t, s))
	results := c.ListPortsOfHosts(context.Background(), s.Data().Hosts(), QueryOptions{Select: []string{"host/id"}})
	for _, r := range results {
		if r.Err == nil || r.Value != nil || !strings.Contains(r.Err.Error(), `"host/id"`) {
			t.Errorf("host %s: %v, %v", r.HostID, r.Value, r.Err)
		}
	}
	if n := len(graphRequests(s)); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

func TestListPortsOfHostsWithoutHosts(t *testing.T) {
	s := fleetEmulator(t, 1, 1, 0)
	c := newClient(t, testOptions(t, s))
	if results := c.ListPortsOfHosts(context.Background(), nil, QueryOptions{}); len(results) != 0 {
		t.Errorf("%d results", len(results))
	}
}

func TestListPortsOfHostsCancellation(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	s := fakegraphtest.Start(t, fakegraph.Config{PageSize: 1, Latency: time.Hour, Data: fakegraph.Generate(50, 3, 1)})
	transport := NewTransport(s.CertPool())
	c, err := NewClient(Options{Endpoint: s.URL(), Credential: &staticCredential{s: s}, Transport: transport, MaxConcurrentRequests: 5})
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan []HostPortsResult, 1)
	go func() { done <- c.ListPortsOfHosts(ctx, s.Data().Hosts(), QueryOptions{}) }()
	fakegraphtest.WaitFor(t, "five requests in flight", func() bool { return s.MaxInFlight() == 5 })
	cancel()
	started := time.Now()
	var results []HostPortsResult
	select {
	case results = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("ListPortsOfHosts did not return after cancellation")
	}
	if took := time.Since(started); took > time.Second {
		t.Errorf("returned %v after cancellation", took)
	}
	for _, r := range results {
		if r.Value != nil || !errors.Is(r.Err, context.Canceled) || !strings.Contains(r.Err.Error(), "cancelled") {
			t.Errorf("host %s: %v, %v; want context.Canceled", r.HostID, r.Value, r.Err)
		}
	}
	if n := len(graphRequests(s)); n != 5 {
		t.Errorf("%d requests; after cancellation none may start", n)
	}
	s.Close()
	transport.CloseIdleConnections()
}
