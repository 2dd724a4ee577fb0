package graph

import (
	"bytes"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
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
//   - a pacer (pacer.go) decides when each request may start, from what
//     Graph answered before: how many may be in flight, how fast they
//     start, and when a Retry-After lets them start again. Graph throttles
//     per application, so one call's 429 is every call's;
//   - requests wait their turn in the order they first asked, so a request
//     that was throttled, or waited longest, goes first;
//   - a 429 is not an answer for the caller but a sign to slow down: the
//     gate sends the request again when its turn comes, without spending
//     one of azcore's retries, which stay for failures. Only when Graph
//     has throttled every request for longer than throttleTimeout, or asks
//     for a pause longer than maxWait, do the waiting requests fail with
//     the throttling error;
//   - the per-attempt time limit starts when a request is sent, not while it
//     waits its turn, and runs until its body is read or closed;
//   - the very first request goes alone until it has a connection. Requests
//     started together on a cold pool would each dial and handshake, and
//     HTTP/2 would then keep one connection and close the rest; after the
//     first connection they all share it as streams.
type requestGate struct {
	next http.RoundTripper
	// maxWait is the client's MaxRetryDelay: a request that would have to
	// wait longer than that for a Retry-After to pass fails at once with
	// the throttling error rather than stalling the plan.
	maxWait time.Duration
	// throttleTimeout is how long Graph may answer nothing but 429s before
	// the requests waiting for it fail.
	throttleTimeout time.Duration
	// tryTimeout bounds each attempt from sending to the end of its body;
	// zero means no limit.
	tryTimeout time.Duration
	log        LogFunc
	now        func() time.Time

	opening   sync.Once     // picks the first request
	connected chan struct{} // closed once the first request has a connection, or has failed
	connect   func()        // closes connected, once

	mu        sync.Mutex
	pacer     *pacer
	queue     waitQueue
	seq       uint64
	wake      *time.Timer // runs dispatch when the pacer next allows a start
	wakeTime  time.Time   // when wake fires; zero when it is not set
	throttled *Error      // the latest 429 or 503 with Retry-After
}

// gateOptions are the limits a requestGate keeps.
type gateOptions struct {
	maxInFlight     int
	maxWait         time.Duration
	throttleTimeout time.Duration
	tryTimeout      time.Duration
	log             LogFunc
}

func newRequestGate(next http.RoundTripper, opts gateOptions) *requestGate {
	g := &requestGate{
		next: next, maxWait: opts.maxWait, throttleTimeout: opts.throttleTimeout, tryTimeout: opts.tryTimeout,
		log: opts.log, now: time.Now, connected: make(chan struct{}),
		pacer: newPacer(opts.maxInFlight, rand.Float64),
	}
	g.connect = sync.OnceFunc(func() { close(g.connected) })
	return g
}

// arrivalKey carries when a call first asked to send, so that each of its
// attempts keeps its place in the queue.
type arrivalKey struct{}

func withArrival(ctx context.Context, at time.Time) context.Context {
	return context.WithValue(ctx, arrivalKey{}, at)
}

func (g *requestGate) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	arrival, ok := ctx.Value(arrivalKey{}).(time.Time)
	if !ok {
		arrival = g.now()
	}
	for {
		if err := g.acquire(ctx, arrival); err != nil {
			return nil, err
		}
		resp, err := g.send(req)
		if err != nil || resp.StatusCode != http.StatusTooManyRequests {
			return resp, err
		}
	}
}

// send sends req once, holding the slot acquire gave it. A 429 is read and
// closed here: the caller sends req again when its turn comes.
func (g *requestGate) send(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	first := false
	g.opening.Do(func() { first = true })
	if first {
		defer g.connect() // also when no connection could be had
		ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { g.connect() }})
	} else {
		select {
		case <-g.connected:
		case <-ctx.Done():
			g.finish()
			return nil, ctx.Err()
		}
	}
	cancel := context.CancelFunc(func() {})
	if g.tryTimeout > 0 {
		ctx, cancel = context.WithTimeoutCause(ctx, g.tryTimeout, &TimeoutError{Limit: g.tryTimeout})
	}
	sent := g.now()
	resp, err := g.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		err = attemptError(ctx, err)
		cancel()
		g.finish()
		return nil, err
	}
	a := answerOf(resp, sent)
	if resp.StatusCode == http.StatusTooManyRequests {
		throttled := peekError(resp)
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBodyBytes))
		resp.Body.Close()
		cancel()
		g.answered(sent, a, throttled)
		g.finish()
		g.logThrottled(req, resp, sent)
		return resp, nil
	}
	var throttled *Error
	if a.pause > 0 {
		throttled = peekError(resp)
	}
	g.answered(sent, a, throttled)
	resp.Body = &slotBody{ReadCloser: resp.Body, ctx: ctx, release: sync.OnceFunc(func() { cancel(); g.finish() })}
	return resp, nil
}

// attemptError names an attempt's own time limit when that is what ended it.
func attemptError(ctx context.Context, err error) error {
	var timeout *TimeoutError
	if errors.As(context.Cause(ctx), &timeout) && !errors.As(err, &timeout) {
		return &attemptTimeoutError{timeout: timeout, err: err}
	}
	return err
}

// answerOf is what the pacer learns from resp: a 429, and the pause a 429
// or 503 asks for.
func answerOf(resp *http.Response, now time.Time) answer {
	a := answer{throttled: resp.StatusCode == http.StatusTooManyRequests}
	if a.throttled || resp.StatusCode == http.StatusServiceUnavailable {
		if delay, ok := retryAfterDelay(resp.Header.Get("Retry-After"), now); ok && delay > 0 {
			a.pause = delay
		}
	}
	return a
}

func (g *requestGate) logThrottled(req *http.Request, resp *http.Response, sent time.Time) {
	if g.log == nil {
		return
	}
	g.mu.Lock()
	rate := g.pacer.rate
	g.mu.Unlock()
	// The same fields as logPolicy's line for every other answer, which
	// never sees a 429: the gate keeps those for itself.
	fields := map[string]any{
		"method": req.Method, "url": req.URL.Redacted(), "duration_ms": g.now().Sub(sent).Milliseconds(),
		"status": resp.StatusCode, "request_id": resp.Header.Get("request-id"), "client_request_id": resp.Header.Get("client-request-id"),
		"requests_per_second": math.Round(rate*10) / 10, "sent_again": true,
	}
	if retryAfter := resp.Header.Get("Retry-After"); retryAfter != "" {
		fields["retry_after"] = retryAfter
	}
	g.log(req.Context(), "Graph response", fields)
}

// acquire returns once the pacer lets a request that first asked at
// arrival start, or fails when ctx ends or Graph's throttling outlasts what
// the client waits for.
func (g *requestGate) acquire(ctx context.Context, arrival time.Time) error {
	w := &waiter{arrival: arrival, turn: make(chan error, 1)}
	g.mu.Lock()
	g.seq++
	w.seq = g.seq
	heap.Push(&g.queue, w)
	g.dispatch()
	g.mu.Unlock()
	select {
	case err := <-w.turn:
		return err
	case <-ctx.Done():
		g.mu.Lock()
		defer g.mu.Unlock()
		if w.index >= 0 {
			heap.Remove(&g.queue, w.index)
			return ctx.Err()
		}
		// The turn came as ctx ended: give the slot back.
		if err := <-w.turn; err == nil {
			g.pacer.finish()
			g.dispatch()
		}
		return ctx.Err()
	}
}

// dispatch starts every waiting request the pacer allows now, oldest first,
// fails them all when the throttling lasts too long, and otherwise sets
// the timer for when it may start the next. g.mu is held.
func (g *requestGate) dispatch() {
	now := g.now()
	if err := g.throttlingTooLong(now); err != nil {
		for g.queue.Len() > 0 {
			g.queue.first().turn <- err
		}
		// The timeout ended these reads, not the client: a later read
		// gets its own throttle_timeout. (A Retry-After beyond maxWait
		// still holds, since pauseEnds does not move.)
		g.pacer.throttledSince = time.Time{}
		return
	}
	for g.queue.Len() > 0 {
		ok, at := g.pacer.ready(now)
		if !ok {
			if !at.IsZero() {
				g.wakeAt(at)
			}
			break
		}
		g.pacer.start(now)
		g.queue.first().turn <- nil
	}
	if g.queue.Len() > 0 && !g.pacer.throttledSince.IsZero() {
		// Fail the waiting requests when the bound passes, even if no
		// answer comes to call dispatch.
		g.wakeAt(g.pacer.throttledSince.Add(g.throttleTimeout + time.Millisecond))
	}
}

// throttlingTooLong is the error every waiting request fails with when
// Graph has throttled for longer than the client waits; nil otherwise.
func (g *requestGate) throttlingTooLong(now time.Time) error {
	if g.throttled == nil {
		return nil
	}
	if pause := g.pacer.pauseEnds.Sub(now); pause > g.maxWait {
		return &throttledError{err: g.throttled, reason: fmt.Sprintf(
			"Graph asks this client to wait %s more, longer than the %s the client waits at most", pause.Round(time.Millisecond), g.maxWait)}
	}
	if g.throttleTimeout > 0 {
		if d := g.pacer.throttledFor(now); d > g.throttleTimeout {
			return &throttledError{err: g.throttled, reason: fmt.Sprintf(
				"Graph has answered every request of this client with 429 for %s, longer than the %s throttling timeout", d.Round(time.Second), g.throttleTimeout)}
		}
	}
	return nil
}

// wakeAt has dispatch run at at, unless it already runs sooner. A wake
// pushed back by an earlier one is not lost: every dispatch sets the next.
func (g *requestGate) wakeAt(at time.Time) {
	if !g.wakeTime.IsZero() && !at.Before(g.wakeTime) {
		return
	}
	g.wakeTime = at
	d := max(at.Sub(g.now()), 0)
	if g.wake == nil {
		g.wake = time.AfterFunc(d, func() {
			g.mu.Lock()
			defer g.mu.Unlock()
			g.wakeTime = time.Time{}
			g.dispatch()
		})
		return
	}
	g.wake.Reset(d)
}

// answered tells the pacer what Graph answered to a request sent at sent.
func (g *requestGate) answered(sent time.Time, a answer, throttled *Error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if throttled != nil {
		g.throttled = throttled
	}
	g.pacer.learn(g.now(), sent, a)
	g.dispatch()
}

// finish gives a request's slot back.
func (g *requestGate) finish() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.pacer.finish()
	g.dispatch()
}

// waiter is a request waiting for its turn.
type waiter struct {
	arrival time.Time
	seq     uint64
	index   int // in the queue; -1 once its turn came
	turn    chan error
}

// waitQueue orders waiters by when they first asked.
type waitQueue []*waiter

func (q waitQueue) Len() int { return len(q) }
func (q waitQueue) Less(i, j int) bool {
	if !q[i].arrival.Equal(q[j].arrival) {
		return q[i].arrival.Before(q[j].arrival)
	}
	return q[i].seq < q[j].seq
}
func (q waitQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].index, q[j].index = i, j
}
func (q *waitQueue) Push(x any) {
	w, ok := x.(*waiter)
	if !ok {
		return // only acquire pushes, and only *waiter
	}
	w.index = len(*q)
	*q = append(*q, w)
}

// first takes the waiter that arrived first off the queue.
func (q *waitQueue) first() *waiter {
	w, _ := heap.Pop(q).(*waiter)
	return w
}
func (q *waitQueue) Pop() any {
	old := *q
	w := old[len(old)-1]
	old[len(old)-1] = nil
	w.index = -1
	*q = old[:len(old)-1]
	return w
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
// to its end, whichever comes first, and names the attempt's time limit
// when that is what cut the body off.
type slotBody struct {
	io.ReadCloser
	ctx     context.Context
	release func()
}

func (b *slotBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.release()
	} else if err != nil {
		err = attemptError(b.ctx, err)
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
// throttling lasted, or would last, longer than the client waits. It
// unwraps to the throttling answer (status, code, request-id, Retry-After),
// so IsThrottled holds for it as for the throttled call.
type throttledError struct {
	err    *Error
	reason string
}

func (e *throttledError) Error() string {
	return fmt.Sprintf("not sent: %s; Graph answered %v", e.reason, e.err)
}

func (e *throttledError) Unwrap() error { return e.err }

// NonRetriable tells azcore's retry policy not to try again: the gate has
// already waited for as long as the client allows.
func (e *throttledError) NonRetriable() {}

// TimeoutError is an attempt that got no complete answer within the
// client's per-attempt time limit.
type TimeoutError struct {
	Limit time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("no complete answer within the %s limit per attempt", e.Limit)
}

// Unwrap lets errors.Is(err, context.DeadlineExceeded) hold, as for any
// deadline.
func (e *TimeoutError) Unwrap() error { return context.DeadlineExceeded }

// attemptTimeoutError is a transport or body error caused by the attempt's
// time limit: it reads as the timeout.
type attemptTimeoutError struct {
	timeout *TimeoutError
	err     error
}

func (e *attemptTimeoutError) Error() string { return e.timeout.Error() }

// Unwrap leaves the transport's error out: a timeout is retried, whatever
// the transport made of it.
func (e *attemptTimeoutError) Unwrap() error { return e.timeout }

// IsTimeout reports whether err is a call whose last attempt ran out of the
// per-attempt time limit.
func IsTimeout(err error) bool {
	var timeout *TimeoutError
	return errors.As(err, &timeout)
}
