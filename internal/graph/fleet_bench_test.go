package graph

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph/fakegraphtest"
)

// benchFleetClient starts an emulator over data and a client on it with
// limit requests in flight, both closed when the benchmark ends. wrap, when
// set, wraps the client's transport.
func benchFleetClient(b *testing.B, cfg fakegraph.Config, limit int, wrap func(http.RoundTripper) http.RoundTripper) (*fakegraph.Server, *Client) {
	b.Helper()
	s := fakegraphtest.Start(b, cfg)
	transport := NewTransport(s.CertPool())
	b.Cleanup(transport.CloseIdleConnections)
	var rt http.RoundTripper = transport
	if wrap != nil {
		rt = wrap(transport)
	}
	c, err := NewClient(Options{Endpoint: s.URL(), Credential: &staticCredential{s: s}, Transport: rt, MaxConcurrentRequests: limit})
	if err != nil {
		b.Fatal(err)
	}
	return s, c
}

func mustReadFleet(b *testing.B, c *Client, hosts []string) []HostPortsResult {
	b.Helper()
	results := c.ListPortsOfHosts(context.Background(), hosts, QueryOptions{})
	for _, r := range results {
		if r.Err != nil {
			b.Fatalf("host %s: %v", r.HostID, r.Err)
		}
	}
	return results
}

// BenchmarkListPortsOfHostsLatency reads the fleet, 200 hosts of
// three one-port pages at 50 ms per request, with each limit of requests in
// flight. ns/op is the wall time of one fleet read; Graph's latency alone
// needs 150 ms when every host is read at once, and 600 requests x 50 ms /
// limit when the limit binds. max-in-flight and connections are what the
// emulator saw. Run with -benchtime=3x: each read is one op.
func BenchmarkListPortsOfHostsLatency(b *testing.B) {
	data := fakegraph.Generate(200, 3, benchSeed)
	for _, limit := range []int{10, 25, 50, 100} {
		b.Run(fmt.Sprintf("limit=%d", limit), func(b *testing.B) {
			s, c := benchFleetClient(b, fakegraph.Config{PageSize: 1, Latency: 50 * time.Millisecond, Data: data}, limit, nil)
			hosts := data.Hosts()
			mustReadFleet(b, c, hosts[:1]) // sign in once, outside the timing
			s.ResetLog()
			for b.Loop() {
				mustReadFleet(b, c, hosts)
			}
			st := s.Stats()
			b.ReportMetric(float64(st.MaxInFlight), "max-in-flight")
			b.ReportMetric(float64(st.Connections), "connections")
		})
	}
}

// heapSamplingTransport measures the live heap every few megabytes of
// response body read, across all the requests in flight, so the peak of
// what a fleet read holds while bodies stream in is known; it also counts
// the bytes of bodies served.
type heapSamplingTransport struct {
	next     http.RoundTripper
	every    int64
	baseline uint64

	read     atomic.Int64
	mu       sync.Mutex
	unsample int64
	peak     uint64
}

func (t *heapSamplingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err == nil {
		resp.Body = &sampledBody{ReadCloser: resp.Body, t: t}
	}
	return resp, err
}

func (t *heapSamplingTransport) CloseIdleConnections() {
	if closer, ok := t.next.(interface{ CloseIdleConnections() }); ok {
		closer.CloseIdleConnections()
	}
}

func (t *heapSamplingTransport) add(n int) {
	t.read.Add(int64(n))
	t.mu.Lock()
	defer t.mu.Unlock()
	t.unsample += int64(n)
	if t.unsample >= t.every {
		t.unsample = 0
		t.sampleLocked()
	}
}

func (t *heapSamplingTransport) sample() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sampleLocked()
}

func (t *heapSamplingTransport) sampleLocked() {
	if live := liveHeap(); live > t.baseline && live-t.baseline > t.peak {
		t.peak = live - t.baseline
	}
}

type sampledBody struct {
	io.ReadCloser
	t *heapSamplingTransport
}

func (b *sampledBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.t.add(n)
	return n, err
}

// BenchmarkListPortsOfHosts reads 2,000 hosts of 5 ports with banners (one
// page each, at the default limit of requests in flight) and reports the
// peak live heap during the read (peak-live-MB), the heap the result holds
// once read (result-MB), the difference (peak-over-result-MB) and the bytes
// of bodies served (body-MB). The peak stays a few megabytes above the
// result: bodies are decoded as they stream in, and no more
// than the limit of them is open at once. The emulator runs in the same
// process, so its answers being written count too. The samples force
// collections, so ns/op means nothing here.
func BenchmarkListPortsOfHosts(b *testing.B) {
	data := fakegraph.Generate(2000, 5, benchSeed)
	sampler := &heapSamplingTransport{every: 4 << 20}
	_, c := benchFleetClient(b, fakegraph.Config{Data: data}, 0, func(next http.RoundTripper) http.RoundTripper {
		sampler.next = next
		return sampler
	})
	hosts := data.Hosts()
	mustReadFleet(b, c, hosts[:1])
	b.ReportAllocs()
	var peak, result uint64
	var body int64
	for b.Loop() {
		sampler.mu.Lock()
		sampler.baseline, sampler.peak, sampler.unsample = liveHeap(), 0, 0
		sampler.mu.Unlock()
		sampler.read.Store(0)
		results := mustReadFleet(b, c, hosts)
		sampler.sample()
		if live := liveHeap(); live > sampler.baseline {
			result = max(result, live-sampler.baseline)
		}
		runtime.KeepAlive(results)
		peak = max(peak, sampler.peak)
		body = sampler.read.Load()
	}
	b.ReportMetric(float64(body)/1e6, "body-MB")
	b.ReportMetric(float64(result)/1e6, "result-MB")
	b.ReportMetric(float64(peak)/1e6, "peak-live-MB")
	// What the read held beyond its result: open bodies, decoder buffers.
	b.ReportMetric((float64(peak)-float64(result))/1e6, "peak-over-result-MB")
}
