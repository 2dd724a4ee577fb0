package fakegraph

import (
	"net/http"
	"strings"
	"sync"
	"time"
)

// Origins recorded in Request.Origin.
const (
	OriginEntra   = "entra"
	OriginGraph   = "graph"
	OriginForeign = "foreign"
	// OriginEmulator marks the /_emulator control endpoints; they are not
	// part of either API, so tests can tell them apart.
	OriginEmulator = "emulator"
	// OriginOIDC marks the emulator's own OIDC issuer and the GitHub Actions
	// and Azure Pipelines ID-token endpoints.
	OriginOIDC = "oidc"
	// OriginManagedIdentity marks the App Service style managed identity
	// endpoint.
	OriginManagedIdentity = "managed-identity"
)

// Request is one entry of the request log. The log lets tests assert what a
// client actually sent (escaping, options, whether a token leaked to another
// origin) instead of inferring it from results.
type Request struct {
	Time     time.Time
	Origin   string // one of the Origin constants
	Method   string
	Path     string // r.URL.EscapedPath() exactly as received
	RawQuery string
	Bearer   bool // an "Authorization: Bearer ..." header was present
	Status   int  // status written (0 if the handler never wrote one)
	// Answered is when the status was written (zero if it never was): with
	// Time it brackets the span in which the request was being served.
	Answered time.Time
	Scope    string
	// RateLimited marks a 429 of the rate limit (Config.RateLimit,
	// SetRateLimit), to tell it from the 429 of a fault or ThrottleFor.
	RateLimited bool
}

// requestLog is append-only between resets. Entries are pointers so the
// status can be filled in when the header is written, which happens before
// the client can observe the response.
type requestLog struct {
	mu      sync.Mutex
	entries []*Request
}

func (l *requestLog) add(origin string, r *http.Request) *Request {
	auth := r.Header.Get("Authorization")
	e := &Request{
		Time:     time.Now(),
		Origin:   origin,
		Method:   r.Method,
		Path:     r.URL.EscapedPath(),
		RawQuery: r.URL.RawQuery,
		Bearer:   len(auth) > 7 && strings.EqualFold(auth[:7], "bearer "),
	}
	l.mu.Lock()
	l.entries = append(l.entries, e)
	l.mu.Unlock()
	return e
}

func (l *requestLog) setStatus(e *Request, status int) {
	l.mu.Lock()
	e.Status = status
	e.Answered = time.Now()
	l.mu.Unlock()
}

func (l *requestLog) setScope(e *Request, scope string) {
	l.mu.Lock()
	e.Scope = scope
	l.mu.Unlock()
}

func (l *requestLog) setRateLimited(e *Request) {
	l.mu.Lock()
	e.RateLimited = true
	l.mu.Unlock()
}

func (l *requestLog) snapshot() []Request {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Request, len(l.entries))
	for i, e := range l.entries {
		out[i] = *e
	}
	return out
}

func (l *requestLog) reset() {
	l.mu.Lock()
	l.entries = nil
	l.mu.Unlock()
}

// statusRecorder captures the status into the log entry at the moment it is
// written. Unwrap lets http.ResponseController reach the underlying writer
// for Flush and Hijack, which the mid-body reset fault needs.
type statusRecorder struct {
	http.ResponseWriter
	log     *requestLog
	entry   *Request
	written bool
}

func (w *statusRecorder) WriteHeader(status int) {
	if !w.written {
		w.written = true
		w.log.setStatus(w.entry, status)
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if !w.written {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }
