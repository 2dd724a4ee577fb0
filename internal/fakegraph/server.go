package fakegraph

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Credentials registered by Start, so a test or the demo can authenticate
// without any setup.
const (
	DefaultTenantID     = "11111111-1111-4111-8111-111111111111"
	DefaultClientID     = "22222222-2222-4222-8222-222222222222"
	DefaultClientSecret = "emulator-client-secret"
)

// DefaultPageSize is the server-side page size when Config.PageSize is 0.
const DefaultPageSize = 100

// Config tunes a Server. The zero value is a working emulator over
// SampleData.
type Config struct {
	PageSize int           // server-side page size, default 100
	TokenTTL time.Duration // lifetime of issued access tokens, default 1h
	Latency  time.Duration // added before answering every Graph (not Entra) request
	Data     *Dataset      // nil => SampleData()
	// RateLimit, if set, throttles Graph requests beyond a rate, as Graph
	// does; SetRateLimit changes it while the server runs.
	RateLimit *RateLimit
	// RefuseSslCertificateExpand answers $expand=sslCertificate on a
	// host's certificates (/hosts/{id}/sslCertificates and
	// /hostSslCertificates/{id}) with 400 BadRequest, as Graph may: its
	// reference documents the navigation but not the expansion. A client
	// is then expected to read each certificate by id
	// (/sslCertificates/{id}), which stays served. SetRefuseSslCertificateExpand
	// changes it while the server runs.
	RefuseSslCertificateExpand bool
}

// Server is a running emulator: one HTTPS listener serving both Entra ID and
// Graph paths, and a second one standing for a foreign origin.
type Server struct {
	data     *Dataset
	certs    *certBundle
	tokenTTL time.Duration
	latency  atomic.Int64 // time.Duration
	pageSize atomic.Int64
	// refuseCertExpand is Config.RefuseSslCertificateExpand.
	refuseCertExpand atomic.Bool

	srv, foreignSrv   *http.Server
	url, foreignURL   string
	client            *http.Client
	serving, handlers sync.WaitGroup
	done              chan struct{}
	closeOnce         sync.Once
	trackMu           sync.Mutex // orders handler starts against Close
	closed            bool

	mu      sync.Mutex
	tenants map[string]map[string]*application // lower-cased tenant -> lower-cased client id -> app
	tokens  map[string]accessToken
	// managed identities: lower-cased client id -> lower-cased tenant; the
	// system-assigned identity is the entry for SystemAssignedClientID.
	identities map[string]string

	issuer issuerKey

	log      requestLog
	faults   faultSet
	inFlight inFlight
	throttle throttleWindow
	// rateLimit is nil while no rate limit is set; swapping the whole
	// bucket lets SetRateLimit run while requests are being judged.
	rateLimit   atomic.Pointer[tokenBucket]
	rateLimited atomic.Int64

	tokenRequests, graphRequests, pagesServed, connections atomic.Int64
	oidcRequests, managedIdentityRequests                  atomic.Int64
}

// Start launches the emulator on 127.0.0.1 with fresh certificates and
// registers DefaultTenantID / DefaultClientID / DefaultClientSecret.
func Start(cfg Config) (*Server, error) {
	if cfg.RateLimit != nil {
		if err := cfg.RateLimit.validate(); err != nil {
			return nil, err
		}
	}
	certs, err := newCertBundle()
	if err != nil {
		return nil, err
	}
	s := &Server{
		data:     cfg.Data,
		certs:    certs,
		tokenTTL: cfg.TokenTTL,
		done:     make(chan struct{}),
		tenants:  map[string]map[string]*application{},
		tokens:   map[string]accessToken{},
		identities: map[string]string{
			strings.ToLower(SystemAssignedClientID): strings.ToLower(DefaultTenantID),
		},
	}
	if s.data == nil {
		s.data = SampleData()
	}
	if s.tokenTTL <= 0 {
		s.tokenTTL = time.Hour
	}
	s.SetPageSize(cfg.PageSize)
	s.SetLatency(cfg.Latency)
	s.SetRateLimit(cfg.RateLimit)
	s.SetRefuseSslCertificateExpand(cfg.RefuseSslCertificateExpand)
	s.AddClientSecret(DefaultTenantID, DefaultClientID, DefaultClientSecret)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fakegraph: listen: %w", err)
	}
	foreignLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("fakegraph: listen: %w", err)
	}
	s.url = "https://" + ln.Addr().String()
	_, foreignPort, err := net.SplitHostPort(foreignLn.Addr().String())
	if err != nil {
		ln.Close()
		foreignLn.Close()
		return nil, fmt.Errorf("fakegraph: foreign listener address: %w", err)
	}
	s.foreignURL = "https://localhost:" + foreignPort

	// TLS handshake failures from clients that (rightly) distrust the CA are
	// expected in tests; they are not worth printing.
	quiet := log.New(io.Discard, "", 0)
	s.srv = &http.Server{
		Handler:           s.track(http.HandlerFunc(s.serveMain)),
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{certs.leaf}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          quiet,
		ConnState: func(_ net.Conn, st http.ConnState) {
			if st == http.StateNew {
				s.connections.Add(1)
			}
		},
	}
	s.foreignSrv = &http.Server{
		Handler:           s.track(http.HandlerFunc(s.serveForeign)),
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{certs.leaf}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          quiet,
	}
	// ServeTLS (rather than Serve on a tls.Listener) is what enables HTTP/2.
	for _, pair := range []struct {
		srv *http.Server
		ln  net.Listener
	}{{s.srv, ln}, {s.foreignSrv, foreignLn}} {
		s.serving.Add(1)
		go func() {
			defer s.serving.Done()
			_ = pair.srv.ServeTLS(pair.ln, "", "")
		}()
	}

	s.client = &http.Client{Transport: &http.Transport{
		Proxy:               nil,
		TLSClientConfig:     &tls.Config{RootCAs: certs.pool, MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2:   true,
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     90 * time.Second,
	}}
	return s, nil
}

// track lets Close wait for handlers: http.Server.Close does not, and a
// handler outliving its server would show up as a leaked goroutine in tests.
func (s *Server) track(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A connection may hand over a request while Close runs; refusing it
		// under the lock keeps WaitGroup.Add from racing WaitGroup.Wait.
		s.trackMu.Lock()
		if s.closed {
			s.trackMu.Unlock()
			http.Error(w, "fakegraph: server closed", http.StatusServiceUnavailable)
			return
		}
		s.handlers.Add(1)
		s.trackMu.Unlock()
		defer s.handlers.Done()
		h.ServeHTTP(w, r)
	})
}

// serveMain routes by path prefix: Graph paths carry an API version, the
// control endpoints a reserved prefix, everything else is Entra ID.
func (s *Server) serveMain(w http.ResponseWriter, r *http.Request) {
	p := r.URL.EscapedPath()
	switch {
	case strings.HasPrefix(p, "/_emulator/"):
		s.serveControl(w, r)
	case strings.HasPrefix(p, issuerPath+"/"), strings.HasPrefix(p, githubPath), strings.HasPrefix(p, pipelinesPath):
		s.serveOIDC(w, r)
	case strings.HasPrefix(p, managedIdentityPath):
		s.serveManagedIdentity(w, r)
	case strings.HasPrefix(p, "/v1.0/") || strings.HasPrefix(p, "/beta/"):
		s.serveGraph(w, r)
	default:
		s.serveEntra(w, r)
	}
}

// serveForeign stands for another origin: anything a client sends here is a
// bug (a followed foreign nextLink or redirect), so it is logged with the
// Authorization header's presence for tests to assert on.
func (s *Server) serveForeign(w http.ResponseWriter, r *http.Request) {
	e := s.log.add(OriginForeign, r)
	rec := &statusRecorder{ResponseWriter: w, log: &s.log, entry: e}
	rec.Header().Set("Content-Type", "application/json")
	rec.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(rec, `{"value":[]}`)
}

// Stats are the counters exposed at /_emulator/stats for processes that
// cannot call the Go API (benchmarks driving a real terraform binary).
type Stats struct {
	TokenRequests           int `json:"tokenRequests"`
	GraphRequests           int `json:"graphRequests"`
	PagesServed             int `json:"pagesServed"`
	Connections             int `json:"connections"`
	OIDCRequests            int `json:"oidcRequests"`
	ManagedIdentityRequests int `json:"managedIdentityRequests"`
	// MaxInFlight is the most Graph requests served at once (see
	// Server.MaxInFlight).
	MaxInFlight int `json:"maxInFlight"`
	// RateLimited is how many Graph requests the rate limit answered 429
	// (see Server.RateLimited).
	RateLimited int `json:"rateLimited"`
}

// Stats returns the current counters.
func (s *Server) Stats() Stats {
	return Stats{
		TokenRequests: int(s.tokenRequests.Load()),
		GraphRequests: int(s.graphRequests.Load()),
		PagesServed:   int(s.pagesServed.Load()),
		Connections:   int(s.connections.Load()),

		OIDCRequests:            int(s.oidcRequests.Load()),
		ManagedIdentityRequests: int(s.managedIdentityRequests.Load()),
		MaxInFlight:             s.MaxInFlight(),
		RateLimited:             s.RateLimited(),
	}
}

func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/_emulator/stats" && r.Method == http.MethodGet:
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(s.Stats())
	case r.URL.Path == "/_emulator/reset" && r.Method == http.MethodPost:
		s.ResetLog()
		w.WriteHeader(http.StatusNoContent)
	default:
		http.NotFound(w, r)
	}
}

// URL is the base URL of both Entra ID and Graph paths, without a trailing slash.
func (s *Server) URL() string { return s.url }

// ProxiedHost is a name the emulator's certificate is valid for that no
// resolver knows: a proxy test maps it to the emulator's address itself.
const ProxiedHost = "graph.fakegraph.test"

// originOf is the origin a request addressed: URL(), or ProxiedURL() when
// the client came through a proxy under ProxiedHost, so discovery documents
// and paging links point where the client can reach them, as a real service
// answers with its public name.
func (s *Server) originOf(r *http.Request) string {
	if proxied := s.ProxiedURL(); r.Host == strings.TrimPrefix(proxied, "https://") {
		return proxied
	}
	return s.url
}

// ProxiedURL is URL with ProxiedHost in place of the loopback address.
func (s *Server) ProxiedURL() string {
	return strings.Replace(s.url, "127.0.0.1", ProxiedHost, 1)
}

// ForeignURL is a second origin of the same process (same certificate,
// different host name and port) that answers 200 {"value":[]} to anything.
func (s *Server) ForeignURL() string { return s.foreignURL }

// CAPEM is the PEM of the CA that signed both listeners' certificate.
func (s *Server) CAPEM() []byte { return append([]byte(nil), s.certs.caPEM...) }

// CertPool holds the emulator's CA.
func (s *Server) CertPool() *x509.CertPool { return s.certs.pool.Clone() }

// HTTPClient trusts the emulator's CA and uses no proxy. It is shared, so
// connection reuse across calls is observable through Connections.
func (s *Server) HTTPClient() *http.Client { return s.client }

// Data is the dataset being served.
func (s *Server) Data() *Dataset { return s.data }

// Close stops both listeners, drops open connections and waits for every
// handler to return.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.trackMu.Lock()
		s.closed = true
		s.trackMu.Unlock()
		close(s.done)
		_ = s.srv.Close()
		_ = s.foreignSrv.Close()
		s.serving.Wait()
		s.handlers.Wait()
		s.client.CloseIdleConnections()
	})
}

// SetLatency changes the delay added before every Graph response.
func (s *Server) SetLatency(d time.Duration) { s.latency.Store(int64(d)) }

// SetPageSize changes the server-side page size; n <= 0 restores the default.
func (s *Server) SetPageSize(n int) {
	if n <= 0 {
		n = DefaultPageSize
	}
	s.pageSize.Store(int64(n))
}

// SetRefuseSslCertificateExpand changes Config.RefuseSslCertificateExpand.
func (s *Server) SetRefuseSslCertificateExpand(refuse bool) { s.refuseCertExpand.Store(refuse) }

// TokenRequests counts POSTs to the token endpoint, successful or not.
func (s *Server) TokenRequests() int { return int(s.tokenRequests.Load()) }

// Requests returns a copy of the request log in arrival order.
func (s *Server) Requests() []Request { return s.log.snapshot() }

// Connections counts TCP connections accepted by the main listener since
// start (or the last reset).
func (s *Server) Connections() int { return int(s.connections.Load()) }

// ResetLog clears the request log and every counter. It leaves the rate
// limit's bucket as it is: tokens are the server's state, not a count of
// what happened; SetRateLimit refills it.
func (s *Server) ResetLog() {
	s.log.reset()
	s.tokenRequests.Store(0)
	s.graphRequests.Store(0)
	s.pagesServed.Store(0)
	s.connections.Store(0)
	s.oidcRequests.Store(0)
	s.managedIdentityRequests.Store(0)
	s.rateLimited.Store(0)
	s.inFlight.reset()
}

// sleep waits d unless the request is cancelled or the server closes, so a
// client that gives up never leaves a handler behind.
func (s *Server) sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-s.done:
		return errors.New("fakegraph: server closed")
	}
}

// newGUID returns a random version-4 UUID, the shape of Graph's request ids.
func newGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
