package graph

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"sync"
	"testing"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
)

// The decoding benchmarks run on the exact bytes the emulator serves for one
// generated host listed in a single page, fetched once per process. Only
// `go test -bench` pays for generating them.
const benchSeed = 7

var (
	benchPagesMu sync.Mutex
	benchPages   = map[int][]byte{}
)

// benchHostPage returns the list page of a generated host with ports ports,
// as the emulator answers the client's default request (no $select, no
// $expand) with a page size large enough to hold the whole host.
func benchHostPage(b *testing.B, ports int) []byte {
	b.Helper()
	benchPagesMu.Lock()
	defer benchPagesMu.Unlock()
	if body, ok := benchPages[ports]; ok {
		return body
	}
	data := fakegraph.Generate(1, ports, benchSeed)
	s, err := fakegraph.Start(fakegraph.Config{PageSize: ports, Data: data})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	host := data.Hosts()[0]
	req, err := http.NewRequest(http.MethodGet, s.URL()+"/v1.0/security/threatIntelligence/hosts/"+url.PathEscape(host)+"/ports", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.IssueToken(fakegraph.DefaultTenantID))
	resp, err := s.HTTPClient().Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("fetching the %d-port page: HTTP %d, %v", ports, resp.StatusCode, err)
	}
	// Checking the page once keeps a broken fixture from benchmarking an error path.
	n := 0
	page, err := decodeListPage(bytes.NewReader(body), func(*HostPort) error { n++; return nil })
	if err != nil || n != ports || page.NextLink != "" {
		b.Fatalf("the %d-port page decodes to %d ports, nextLink %q, error %v", ports, n, page.NextLink, err)
	}
	benchPages[ports] = body
	return body
}

// bodyReader hands out body the way a response body does: through Read only,
// hiding bytes.Reader's WriteTo so that io.Copy cannot short-cut the copy.
type bodyReader struct{ r io.Reader }

func (b bodyReader) Read(p []byte) (int, error) { return b.r.Read(p) }

func newBody(body []byte) io.Reader { return bodyReader{bytes.NewReader(body)} }

// limited wraps body in the client's size limit, as fetchPage does.
func limited(body []byte) io.Reader {
	return &limitedBody{r: newBody(body), remaining: DefaultMaxResponseBytes, limit: DefaultMaxResponseBytes}
}

// BenchmarkDecodeHostPorts compares, on the same bytes of a 5,000-port host
// (tens of megabytes of JSON), the client's streaming decoder with
// encoding/json decoding into `any` and with the floor of merely reading the
// bytes. "client" hands each port to a callback that drops it; "client-collect"
// keeps every port, as ListHostPorts does.
func BenchmarkDecodeHostPorts(b *testing.B) {
	body := benchHostPage(b, 5000)
	b.Run("read-floor", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := io.Copy(io.Discard, newBody(body)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json-any", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var v any
			if err := json.NewDecoder(newBody(body)).Decode(&v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("client", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodeListPage(limited(body), func(*HostPort) error { return nil }); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("client-collect", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var ports []HostPort
			if _, err := decodeListPage(limited(body), func(hp *HostPort) error { ports = append(ports, *hp); return nil }); err != nil {
				b.Fatal(err)
			}
			if len(ports) != 5000 {
				b.Fatalf("decoded %d ports", len(ports))
			}
		}
	})
}

// heapSampler is a body that measures the live heap every few megabytes read,
// so the peak of what a decoder holds while the body streams in is known.
// The body's own bytes are left out: they were live before decoding began.
type heapSampler struct {
	r         io.Reader
	every     int
	unsampled int
	baseline  uint64
	peak      uint64
}

func newHeapSampler(body []byte) *heapSampler {
	h := &heapSampler{r: newBody(body), every: 4 << 20}
	h.baseline = liveHeap()
	return h
}

func (h *heapSampler) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.unsampled += n
	if h.unsampled >= h.every {
		h.unsampled = 0
		h.sample()
	}
	return n, err
}

func (h *heapSampler) sample() {
	if live := liveHeap(); live > h.baseline && live-h.baseline > h.peak {
		h.peak = live - h.baseline
	}
}

// liveHeap is the heap still reachable after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkDecodeHostPortsMemory decodes a 20,000-port host (about 180 MB of
// JSON) and reports, beside the usual B/op, the peak live heap while decoding
// (peak-live-MB) against the body's size (body-MB). The client streams: with
// each port dropped after its callback the peak stays at one port plus the
// decoder's buffer, whatever the body's size. encoding/json into `any` must
// hold the whole body and its tree. The samples force collections, so ns/op
// means nothing here.
func BenchmarkDecodeHostPortsMemory(b *testing.B) {
	body := benchHostPage(b, 20000)
	report := func(b *testing.B, peak uint64) {
		b.ReportMetric(float64(len(body))/1e6, "body-MB")
		b.ReportMetric(float64(peak)/1e6, "peak-live-MB")
	}
	b.Run("encoding-json-any", func(b *testing.B) {
		b.ReportAllocs()
		var peak uint64
		for b.Loop() {
			var v any
			h := newHeapSampler(body)
			if err := json.NewDecoder(h).Decode(&v); err != nil {
				b.Fatal(err)
			}
			h.sample()
			runtime.KeepAlive(v)
			peak = max(peak, h.peak)
		}
		report(b, peak)
	})
	b.Run("client", func(b *testing.B) {
		b.ReportAllocs()
		var peak uint64
		for b.Loop() {
			h := newHeapSampler(body)
			body := &limitedBody{r: h, remaining: DefaultMaxResponseBytes, limit: DefaultMaxResponseBytes}
			if _, err := decodeListPage(body, func(*HostPort) error { return nil }); err != nil {
				b.Fatal(err)
			}
			h.sample()
			peak = max(peak, h.peak)
		}
		report(b, peak)
	})
	b.Run("client-collect", func(b *testing.B) {
		b.ReportAllocs()
		var peak uint64
		for b.Loop() {
			var ports []HostPort
			h := newHeapSampler(body)
			body := &limitedBody{r: h, remaining: DefaultMaxResponseBytes, limit: DefaultMaxResponseBytes}
			if _, err := decodeListPage(body, func(hp *HostPort) error { ports = append(ports, *hp); return nil }); err != nil {
				b.Fatal(err)
			}
			h.sample()
			runtime.KeepAlive(ports)
			peak = max(peak, h.peak)
		}
		report(b, peak)
	})
}
