package fakegraph

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Route selects which requests a Fault applies to. RouteList, RouteGet and
// RouteCount are the kinds of Graph route; Fault.Collection says which
// collection's ("" for ports, so RouteList is /hosts/{id}/ports, RouteGet
// /hostPorts/{id} and RouteCount /hosts/{id}/ports/$count).
type Route int

const (
	// RouteAny matches every Graph request (every list, get and count of
	// every collection, and unknown Graph paths) but not the token,
	// ID-token or managed identity endpoints, so a catch-all fault does
	// not stop a client from authenticating. With a Collection it matches
	// every route of that collection.
	RouteAny Route = iota
	// RouteList is a host's list: /hosts/{id}/{collection}.
	RouteList
	// RouteGet is one entity: /hostPorts/{id} and the other single-item
	// routes by id (/hostSslCertificates/{id}, /hostComponents/{id},
	// /sslCertificates/{id}), or one under a host: /hosts/{id} itself,
	// /hosts/{id}/reputation, /hosts/{id}/whois.
	RouteGet
	// RouteCount is /hosts/{id}/ports/$count.
	RouteCount
	RouteToken
	// RouteOIDC is the GitHub (Host "github") and Azure Pipelines (Host
	// "pipelines") ID-token endpoints. The Graph-shaped kinds answer there
	// with Graph's envelope; the plain ones (KindStatus, KindEmptyBody500,
	// KindHTMLError, KindLatency, KindResetMidBody) fit best.
	RouteOIDC
	// RouteManagedIdentity is the managed identity endpoint; Host is the
	// requested client_id ("" for the system-assigned identity still
	// matches any). The same advice on kinds as for RouteOIDC applies.
	RouteManagedIdentity
	// routeOther is a Graph path that is none of the above; only RouteAny
	// matches it.
	routeOther
)

// FaultKind is the misbehaviour a Fault injects.
type FaultKind int

const (
	_ FaultKind = iota // zero is not a fault, so a forgotten Kind is caught
	// KindThrottle answers 429 with Retry-After (if set) and error code TooManyRequests.
	KindThrottle
	// KindServiceUnavailable answers 503 (Retry-After if set).
	KindServiceUnavailable
	// KindGatewayTimeout answers 504 (Retry-After if set).
	KindGatewayTimeout
	// KindGraphError answers Status with Code in the error envelope, e.g. 403 accessDenied.
	KindGraphError
	// KindLatency sleeps Latency, then answers normally.
	KindLatency
	// KindResetMidBody sends 200 headers with a Content-Length and part of the
	// body, then aborts the connection (HTTP/1.1) or the stream (HTTP/2).
	KindResetMidBody
	// KindTruncatedJSON answers 200 with the body cut in half; the HTTP
	// framing is intact, only the JSON is incomplete.
	KindTruncatedJSON
	// KindInvalidJSON answers 200 with a body that is not JSON.
	KindInvalidJSON
	// KindHTMLError answers 502 with an HTML page, as a proxy would.
	KindHTMLError
	// KindEmptyBody500 answers 500 with an empty body.
	KindEmptyBody500
	// KindForeignNextLink serves the page with @odata.nextLink on ForeignURL().
	KindForeignNextLink
	// KindHTTPNextLink serves the page with an http:// nextLink to this host.
	KindHTTPNextLink
	// KindLoopingNextLink serves the page with nextLink equal to the request's URL.
	KindLoopingNextLink
	// KindRedirectForeign answers 302 to ForeignURL() + the same path and query.
	KindRedirectForeign
	// KindStatus answers Status with a plain-text body (no Graph envelope).
	KindStatus
	// KindConnectionReset sends 200 headers with a Content-Length and part
	// of the body, then resets the TCP connection (RST, not a clean close),
	// so the client reads "connection reset by peer". Only HTTP/1.1 can
	// take its connection over; on HTTP/2 it resets the stream instead,
	// like KindResetMidBody.
	KindConnectionReset
	// KindSlowBody sends 200 headers with a Content-Length and part of the
	// body, waits Latency (or until the client gives up), then sends the
	// rest: a stalled transfer that a per-attempt timeout should cut.
	KindSlowBody
)

var faultKindNames = map[FaultKind]string{
	KindThrottle: "Throttle", KindServiceUnavailable: "ServiceUnavailable", KindGatewayTimeout: "GatewayTimeout",
	KindGraphError: "GraphError", KindLatency: "Latency", KindResetMidBody: "ResetMidBody",
	KindTruncatedJSON: "TruncatedJSON", KindInvalidJSON: "InvalidJSON", KindHTMLError: "HTMLError",
	KindEmptyBody500: "EmptyBody500", KindForeignNextLink: "ForeignNextLink", KindHTTPNextLink: "HTTPNextLink",
	KindLoopingNextLink: "LoopingNextLink", KindRedirectForeign: "RedirectForeign", KindStatus: "Status",
	KindConnectionReset: "ConnectionReset", KindSlowBody: "SlowBody",
}

func (k FaultKind) String() string {
	if n, ok := faultKindNames[k]; ok {
		return n
	}
	return fmt.Sprintf("FaultKind(%d)", int(k))
}

// Fault is one scripted misbehaviour. Faults are consumed as they fire.
type Fault struct {
	Route Route
	// Collection narrows a Graph Route to one collection of the route
	// table, by its Collection constant: with RouteList, RouteGet or
	// RouteCount, "" means CollectionPorts, so a fault written before
	// there were other collections keeps its meaning; with RouteAny, ""
	// means every route and a name every route of that collection (its
	// list and its single-item route). CollectionHost is /hosts/{id},
	// CollectionSslCertificate /sslCertificates/{id}. AddFault panics on a
	// name the table lacks or a route the collection does not have
	// (RouteCount of anything but ports, RouteList of reputation, ...).
	// It must be "" on the non-Graph routes.
	Collection string
	// Host restricts the fault to one key: the hostId of a route under
	// /hosts/{id} (lists, count, the host, reputation, whois; compared
	// case-insensitively), the entity id of a single-item route by id
	// (/hostPorts/{id} and the others; case matters), the tenant (token),
	// "github" or "pipelines" (OIDC) or the client id (managed identity);
	// "" matches any.
	Host string
	// Nth fires on the Nth matching request counted from when the fault was
	// added (1-based); 0 means the next one.
	Nth int
	// Times is how many consecutive matching requests it fires for: 0 means
	// 1, -1 forever.
	Times      int
	Kind       FaultKind
	Status     int           // KindGraphError, KindStatus
	Code       string        // Graph error.code for KindGraphError
	RetryAfter string        // verbatim Retry-After for throttling kinds; "" = none
	Latency    time.Duration // KindLatency, KindSlowBody
}

// activeFault tracks how often a fault has matched and fired.
type activeFault struct {
	f     Fault
	seen  int
	fired int
}

type faultSet struct {
	mu   sync.Mutex
	list []*activeFault
}

// AddFault schedules a fault. A Fault without a Kind is a mistake in the
// calling test, so it panics rather than silently doing nothing.
func (s *Server) AddFault(f Fault) {
	if _, ok := faultKindNames[f.Kind]; !ok {
		panic(fmt.Sprintf("fakegraph: AddFault with invalid Kind %d", f.Kind))
	}
	if !routeCollectionValid(f.Route, f.Collection) {
		panic(fmt.Sprintf("fakegraph: AddFault with Collection %q, which Route %d does not serve", f.Collection, f.Route))
	}
	s.faults.mu.Lock()
	s.faults.list = append(s.faults.list, &activeFault{f: f})
	s.faults.mu.Unlock()
}

// ClearFaults drops every scheduled fault.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	s.faults.list = nil
	s.faults.mu.Unlock()
}

// faultTarget is what a fault is matched against: the route, the route
// table's collection ("" off Graph's collections), and the key, compared
// exactly for ids of single-item routes.
type faultTarget struct {
	route      Route
	collection string
	key        string
	exactKey   bool
}

func (af *activeFault) matches(t faultTarget) bool {
	switch {
	case af.f.Route == RouteAny && (t.route == RouteToken || t.route == RouteOIDC || t.route == RouteManagedIdentity):
		return false
	case af.f.Route != RouteAny && af.f.Route != t.route:
		return false
	case !af.collectionMatches(t.collection):
		return false
	case af.f.Host == "":
		return true
	case t.exactKey:
		return af.f.Host == t.key // entity ids are opaque, often base64: case matters
	default:
		return strings.EqualFold(af.f.Host, t.key)
	}
}

func (af *activeFault) collectionMatches(collection string) bool {
	want := af.f.Collection
	switch af.f.Route {
	case RouteAny:
		return want == "" || want == collection
	case RouteList, RouteGet, RouteCount:
		if want == "" {
			want = CollectionPorts
		}
		return want == collection
	}
	return true
}

// next returns the fault that fires for this request, if any. Every
// matching fault counts the request, so Nth stays "the Nth matching request"
// even when an earlier fault took it.
func (fs *faultSet) next(t faultTarget) (Fault, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var hit Fault
	found := false
	kept := fs.list[:0]
	for _, af := range fs.list {
		if af.matches(t) {
			af.seen++
			times := af.f.Times
			if times == 0 {
				times = 1
			}
			if !found && af.seen >= max(af.f.Nth, 1) && (times < 0 || af.fired < times) {
				af.fired++
				hit, found = af.f, true
			}
			if times > 0 && af.fired >= times {
				continue // consumed
			}
		}
		kept = append(kept, af)
	}
	for i := len(kept); i < len(fs.list); i++ {
		fs.list[i] = nil
	}
	fs.list = kept
	return hit, found
}

// response is a fully buffered answer. Buffering lets faults cut or corrupt
// the exact bytes a correct answer would have had.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) write(w http.ResponseWriter) {
	for k, v := range r.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", fmt.Sprint(len(r.body)))
	w.WriteHeader(r.status)
	_, _ = w.Write(r.body)
}

// faultAnswer returns the answer for the kinds that replace a response
// outright. The other kinds (latency, truncation, reset, nextLink rewrites)
// alter a normal answer and are applied by the handlers.
func (s *Server) faultAnswer(r *http.Request, origin string, f Fault) (response, bool) {
	h := http.Header{}
	if f.RetryAfter != "" {
		h.Set("Retry-After", f.RetryAfter)
	}
	apiErr := func(status int, code, msg string) (response, bool) {
		if origin == OriginEntra {
			// AADSTS90033 is Entra ID's "transient error, retry" code.
			return aadErrorResponse(status, code, 90033, msg, h), true
		}
		return graphErrorResponse(r, status, code, msg, h), true
	}
	switch f.Kind {
	case KindThrottle:
		if origin == OriginEntra {
			return apiErr(http.StatusTooManyRequests, "temporarily_unavailable", "The server is throttling requests.")
		}
		return apiErr(http.StatusTooManyRequests, "TooManyRequests", "Too many requests. Please retry after the time in the Retry-After header.")
	case KindServiceUnavailable:
		if origin == OriginEntra {
			return apiErr(http.StatusServiceUnavailable, "temporarily_unavailable", "A transient error has occurred. Please try again.")
		}
		return apiErr(http.StatusServiceUnavailable, "serviceNotAvailable", "The service is temporarily unavailable. Please retry later.")
	case KindGatewayTimeout:
		if origin == OriginEntra {
			return apiErr(http.StatusGatewayTimeout, "temporarily_unavailable", "The gateway timed out.")
		}
		return apiErr(http.StatusGatewayTimeout, "gatewayTimeout", "The gateway timed out waiting for the backend.")
	case KindGraphError:
		status, code := f.Status, f.Code
		if status == 0 {
			status = http.StatusForbidden
		}
		if code == "" {
			code = "accessDenied"
		}
		return apiErr(status, code, fmt.Sprintf("Injected error %s.", code))
	case KindStatus:
		status := f.Status
		if status == 0 {
			status = http.StatusInternalServerError
		}
		h.Set("Content-Type", "text/plain; charset=utf-8")
		return response{status: status, header: h, body: []byte(http.StatusText(status) + "\n")}, true
	case KindInvalidJSON:
		h.Set("Content-Type", "application/json")
		return response{status: http.StatusOK, header: h, body: []byte(`{"value":[{"id":}}}]`)}, true
	case KindHTMLError:
		h.Set("Content-Type", "text/html; charset=utf-8")
		return response{status: http.StatusBadGateway, header: h, body: []byte(
			"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body><center><h1>502 Bad Gateway</h1></center><hr><center>corporate-proxy/1.0</center></body></html>\n")}, true
	case KindEmptyBody500:
		return response{status: http.StatusInternalServerError, header: h}, true
	case KindRedirectForeign:
		loc := s.foreignURL + r.URL.EscapedPath()
		if r.URL.RawQuery != "" {
			loc += "?" + r.URL.RawQuery
		}
		h.Set("Location", loc)
		return response{status: http.StatusFound, header: h}, true
	}
	return response{}, false
}

// answer runs a request through the fault machinery around the normal
// handler: replaced answers, added latency, and cut or aborted bodies.
// normal receives the fault (if any) so list pages can rewrite nextLink.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, origin string, t faultTarget, normal func(f *Fault) response) {
	f, hasFault := s.faults.next(t)
	if !hasFault {
		normal(nil).write(w)
		return
	}
	if resp, replaced := s.faultAnswer(r, origin, f); replaced {
		resp.write(w)
		return
	}
	if f.Kind == KindLatency {
		if s.sleep(r.Context(), f.Latency) != nil {
			return // the client is gone; nobody reads an answer
		}
	}
	resp := normal(&f)
	switch f.Kind {
	case KindTruncatedJSON:
		resp.body = resp.body[:len(resp.body)/2]
		resp.write(w)
	case KindResetMidBody:
		writeThenAbort(w, resp)
	case KindConnectionReset:
		writeThenReset(w, resp)
	case KindSlowBody:
		s.writeSlowly(r.Context(), w, resp, f.Latency)
	default:
		resp.write(w)
	}
}

// writeThenAbort promises the full body in Content-Length, sends half of it
// and aborts. http.ErrAbortHandler makes net/http close an HTTP/1.1
// connection and reset an HTTP/2 stream without logging, so the client sees
// an unexpected EOF or a stream error on either protocol, just like a
// connection cut by a network device mid-transfer.
func writeThenAbort(w http.ResponseWriter, resp response) {
	writeFirstHalf(w, resp)
	panic(http.ErrAbortHandler)
}

// writeFirstHalf sends the headers, promising the whole body in
// Content-Length, and the first half of the body, flushed so the client
// holds it before whatever the fault does next.
func writeFirstHalf(w http.ResponseWriter, resp response) {
	for k, v := range resp.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", fmt.Sprint(len(resp.body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(resp.body[:len(resp.body)/2])
	_ = http.NewResponseController(w).Flush()
}

// writeThenReset sends half the body and resets the connection. Closing the
// TCP socket with SO_LINGER 0 sends an RST; closing the TLS connection would
// first send close_notify, and the client would see a clean end of stream.
func writeThenReset(w http.ResponseWriter, resp response) {
	writeFirstHalf(w, resp)
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // HTTP/2: no connection to take over, reset the stream
	}
	raw := conn
	if tlsConn, ok := conn.(*tls.Conn); ok {
		raw = tlsConn.NetConn()
	}
	if tcp, ok := raw.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = raw.Close()
}

// writeSlowly sends half the body, stalls for d, then sends the rest. A
// client that gives up in between ends the wait, so no handler outlives it.
func (s *Server) writeSlowly(ctx context.Context, w http.ResponseWriter, resp response, d time.Duration) {
	writeFirstHalf(w, resp)
	if s.sleep(ctx, d) != nil {
		return
	}
	_, _ = w.Write(resp.body[len(resp.body)/2:])
}
