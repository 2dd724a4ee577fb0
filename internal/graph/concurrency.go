package graph

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"sync"
	"time"
)

// DefaultMaxConcurrentRequests is how many Graph requests a client keeps in
// flight at once unless told otherwise.
//
// Measured on 200 hosts of three one-port pages at 50 ms per request, with
// BenchmarkListPortsOfHostsLatency and with real plans of a fleet read
// (`make bench`; docs/guides/performance.md has a run): each step from 10 to
// 25, 50 and 100 in flight cuts the client's time by 40% or more, and the
// plan's time after start-up went from 2.4 to 3.4 times shorter than a
// for_each of the same hosts between 50 and 100; 200 gained little more
// (3.7 to 3.9 times), and more than 100 would need a second connection to a
// server that allows the 100 streams HTTP/2 recommends. 100 is the least number
// of concurrent streams HTTP/2 recommends a server allow (RFC 9113, section
// 6.5.2), so a read stays on one connection. At Graph's usual latencies of
// 100 ms or more, 100 in flight is at most 1,000 requests a second, under a
// tenth of the 130,000 per 10 s Graph allows one application across its
// tenants, leaving room for other runs of the same app registration.
const DefaultMaxConcurrentRequests = 100

// requestGate sits between the pipeline and the transport, so it sees every
// request that really goes to Graph: each retry and each redirect hop, but
// no token request (the credential has its own transport) and no request
// the pipeline refused before sending. For all the calls of one client
// together:
//
//   - it keeps at most cap(slots) requests in flight, from sending until the
//     response body is closed or read to its end: the client streams bodies,
//     so a request whose headers have arrived still holds a server stream;
//   - once Graph answers 429, or 503 with Retry-After, it starts no new
//     request until that Retry-After has passed; requests already sent
//     finish. Graph throttles per application, so one call's 429 is every
//     call's, and retrying the others at once would only earn more 429s;
//   - the very first request goes alone until it has a connection. Requests
//     started together on a cold pool would each dial and handshake, and
//     HTTP/2 would then keep one connection and close the rest; after the
//     first connection they all share it as streams.
//
// azcore's retry policy still decides whether and when a throttled call is
// tried again; the gate only holds back the requests of every other call.
type requestGate struct {
	next  http.RoundTripper
	slots chan struct{}
	// maxWait is the client's MaxRetryDelay: a request that would have to
	// wait longer than that for the throttling to end fails at once with the
	// throttling error, as the throttled call itself does, rather than
	// stalling the plan.
	maxWait time.Duration

	opening   sync.Once     // picks the first request
	connected chan struct{} // closed once the first request has a connection, or has failed
	connect   func()        // closes connected, once

	mu        sync.Mutex
	until     time.Time // no request starts before this
	throttled *Error    // the answer that set until
}

func newRequestGate(next http.RoundTripper, maxInFlight int, maxWait time.Duration) *requestGate {
	g := &requestGate{next: next, slots: make(chan struct{}, maxInFlight), maxWait: maxWait, connected: make(chan struct{})}
	g.connect = sync.OnceFunc(func() { close(g.connected) })
	return g
}

func (g *requestGate) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	select {
	case g.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	first := false
	g.opening.Do(func() { first = true })
	if first {
		defer g.connect() // also when no connection could be had
		req = req.WithContext(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
			GotConn: func(httptrace.GotConnInfo) { g.connect() },
		}))
	} else {
		select {
		case <-g.connected:
		case <-ctx.Done():
			g.release()
			return nil, ctx.Err()
		}
	}
	// The slot is taken before waiting out a throttle, so a 429 that
	// arrives while this request waits for a slot still holds it back.
	if err := g.waitThrottle(ctx); err != nil {
		g.release()
		return nil, err
	}
	resp, err := g.next.RoundTrip(req)
	if err != nil {
		g.release()
		return nil, err
	}
	g.observe(resp)
	resp.Body = &slotBody{ReadCloser: resp.Body, release: sync.OnceFunc(g.release)}
	return resp, nil
}

func (g *requestGate) release() { <-g.slots }

// throttledUntil is when the current throttling window ends; zero when
// Graph has not throttled.
func (g *requestGate) throttledUntil() time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.until
}

// waitThrottle returns once no throttling window is open, or fails when
// ctx ends or the window outlasts maxWait. It loops because an answer that
// arrives during the wait may extend the window.
func (g *requestGate) waitThrottle(ctx context.Context) error {
	for {
		g.mu.Lock()
		wait, throttled := time.Until(g.until), g.throttled
		g.mu.Unlock()
		if wait <= 0 {
			return nil
		}
		if wait > g.maxWait {
			return &throttledError{wait: wait, maxWait: g.maxWait, err: throttled}
		}
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				// The attempt's time limit (request_timeout) ran out while
				// it waited: retried like any timeout, but named for what
				// held it back.
				return &throttleWaitError{err: throttled, timeout: ctx.Err()}
			}
			return ctx.Err()
		}
	}
}

// throttleWaitError is an attempt whose time limit ran out while it waited
// for a throttling window to end. It unwraps to the throttling answer, so
// IsThrottled holds for it, and to the deadline, so it is retried and
// reported as the attempt's timeout.
type throttleWaitError struct {
	err     *Error
	timeout error
}

func (e *throttleWaitError) Error() string {
	return fmt.Sprintf("not sent: the attempt's time limit ran out while it waited for Graph's throttling to end; Graph answered %v", e.err)
}

func (e *throttleWaitError) Unwrap() []error { return []error{e.err, e.timeout} }

// observe opens or extends the throttling window when resp asks for one.
// A 429 without Retry-After opens none: it names no time to wait, and
// azcore's back-off handles the throttled call alone.
func (g *requestGate) observe(resp *http.Response) {
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
		return
	}
	now := time.Now()
	delay, ok := retryAfterDelay(resp.Header.Get("Retry-After"), now)
	if !ok || delay <= 0 {
		return
	}
	until := now.Add(delay)
	g.mu.Lock()
	defer g.mu.Unlock()
	if until.After(g.until) {
		g.until = until
		g.throttled = peekError(resp)
	}
}

// peekError reads resp's error body into an *Error for the requests the
// window will refuse, and puts the bytes back for the throttled call's
// own error. An error envelope is small; the read is bounded anyway.
func peekError(resp *http.Response) *Error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodyBytes))
	resp.Body = readCloser{Reader: io.MultiReader(bytes.NewReader(body), resp.Body), Closer: resp.Body}
	e := newError(&http.Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: io.NopCloser(bytes.NewReader(body))})
	return e
}

type readCloser struct {
	io.Reader
	io.Closer
}

// slotBody gives its request's slot back when the body is closed or read
// to its end, whichever comes first.
type slotBody struct {
	io.ReadCloser
	release func()
}

func (b *slotBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.release()
	}
	return n, err
}

func (b *slotBody) Close() error {
	defer b.release()
	return b.ReadCloser.Close()
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the
// pool underneath.
func (g *requestGate) CloseIdleConnections() {
	if closer, ok := g.next.(interface{ CloseIdleConnections() }); ok {
		closer.CloseIdleConnections()
	}
}

// throttledError is a request the gate did not send because Graph's
// throttling would outlast the client's MaxRetryDelay. It unwraps to the
// throttling answer (status, code, request-id, Retry-After), so
// IsThrottled holds for it as for the throttled call.
type throttledError struct {
	wait, maxWait time.Duration
	err           *Error
}

func (e *throttledError) Error() string {
	return fmt.Sprintf("not sent: Graph is throttling this client for %s more, longer than the %s the client waits at most; Graph answered %v",
		e.wait.Round(time.Millisecond), e.maxWait, e.err)
}

func (e *throttledError) Unwrap() error { return e.err }

// NonRetriable tells azcore's retry policy not to try again: a retry
// would meet the same window.
func (e *throttledError) NonRetriable() {}
