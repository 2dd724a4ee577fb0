package fakegraph

import (
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// inFlight counts the Graph requests being served and the most there ever
// were at once, so a test can check a client's concurrency limit from the
// server's side of the wire.
type inFlight struct {
	now, max atomic.Int64
}

// enter counts a request in and returns the function that counts it out;
// calling that function more than once counts it out only once.
func (c *inFlight) enter() func() {
	n := c.now.Add(1)
	for {
		m := c.max.Load()
		if n <= m || c.max.CompareAndSwap(m, n) {
			break
		}
	}
	var once sync.Once
	return func() { once.Do(func() { c.now.Add(-1) }) }
}

// reset forgets the peak; requests being served stay counted, so the peak
// after a reset is never below what is really in flight.
func (c *inFlight) reset() { c.max.Store(c.now.Load()) }

// leavingWriter counts its request out as soon as the answer's header is
// written. A client cannot see an answer before its header, so it cannot
// send its next request before this request was counted out: the peak never
// overstates what the client had in flight, whatever the timing between the
// end of the handler and the client reading the end of the body.
type leavingWriter struct {
	http.ResponseWriter
	leave func()
}

func (w *leavingWriter) WriteHeader(status int) {
	w.leave()
	w.ResponseWriter.WriteHeader(status)
}

func (w *leavingWriter) Write(b []byte) (int, error) {
	w.leave()
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the writers underneath for
// Flush and Hijack.
func (w *leavingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// MaxInFlight is the most Graph requests the emulator was serving at once
// since start (or the last ResetLog). A request counts from its arrival
// until the emulator starts writing its answer.
func (s *Server) MaxInFlight() int { return int(s.inFlight.max.Load()) }

// throttleWindow makes every Graph request arriving before until answer 429
// with retryAfter, as Graph does when an application exceeds its limits.
type throttleWindow struct {
	mu         sync.Mutex
	until      time.Time
	retryAfter string
}

// ThrottleFor answers 429 TooManyRequests, with retryAfter as Retry-After
// ("" sends none), to every Graph request that arrives within d from now,
// on every Graph route. Unlike a Fault it is bounded by time, not by a count
// of requests, the way a throttled Graph behaves. A later call replaces the
// window; ThrottleFor(0, "") ends it.
func (s *Server) ThrottleFor(d time.Duration, retryAfter string) {
	s.throttle.mu.Lock()
	s.throttle.until = time.Now().Add(d)
	s.throttle.retryAfter = retryAfter
	s.throttle.mu.Unlock()
}

// throttled reports whether a request arriving at arrival is inside the
// window, and the Retry-After to send it.
func (w *throttleWindow) throttled(arrival time.Time) (string, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.retryAfter, arrival.Before(w.until)
}
