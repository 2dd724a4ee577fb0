package graph

import (
	"time"
)

// pacer decides when the requests of one client may start, from what Graph
// answered the requests before them. It has no clock, lock or goroutine of
// its own: requestGate calls it under its mutex with the time, and tests
// drive it through a simulated Graph.
//
// Graph's limits are a request rate per application (a token bucket with
// some burst, by how 429s arrive), and it says when it is over the limit
// by answering 429, usually with Retry-After. The pacer therefore learns a
// rate, much as TCP learns a window:
//
//   - Until the first 429 it paces nothing and only bounds the requests in
//     flight, starting at initialWindow and adding one for each answer, so
//     the window doubles every round trip up to the client's ceiling. A
//     fleet read on an unthrottled Graph reaches full concurrency within a
//     few round trips; one on a throttled Graph overshoots its limit by one
//     round trip's worth of requests, about half of Graph's burst, not by
//     the ceiling. Those are most of the 429s a read meets: Graph's first
//     429 cannot reach the client sooner.
//   - The first 429 sets the rate to what Graph accepted in the second
//     before it. The 429s to requests sent before the pacer last acted on
//     one (its episode) answer the same overshoot and are not acted on
//     again.
//   - A later 429 without Retry-After cuts the rate by decrease.
//   - A 429 with Retry-After does not cut the rate: the pause it asks for is
//     the back-off, and it takes from each client in proportion to its
//     rate, which keeps clients sharing one limit even. (Cutting as well let
//     the first client to be cut fall ever further behind.) Only when,
//     over at least lowShareSpan, Graph accepted under lowShare of the
//     rate is the rate cut, to half or to what was accepted, whichever is
//     more: the learned rate is then far above the limit (a large burst
//     learned as a rate), and would spend each pause's allowance at once.
//   - Each answer that is not a 429 adds to the rate, increase × the rate at
//     the last cut (at least minIncrease) per second of answers, so it
//     probes upward and finds the limit again if Graph's allowance grew (or
//     another client of the same application stopped). It never grows past
//     twice what was answered in the last second, so an idle client builds
//     up no burst.
//   - A Retry-After starts no request until it has passed; then requests
//     start one at a time at the learned rate, the first after a random part
//     of one interval, so clients sharing an application's limit do not all
//     start again at the same instant.
type pacer struct {
	ceiling int
	window  int // requests allowed in flight while no 429 has been seen
	flying  int // requests started and not yet answered

	// rate is requests per second; zero until the first 429.
	rate, rateAtCut float64
	// episode is when the pacer last acted on a 429.
	episode    time.Time
	lastGrowth time.Time
	next       time.Time // no request starts before this
	pauseEnds  time.Time // end of the latest Retry-After

	// throttledSince is the first of the 429s answered since the last
	// answer that was not one; zero when that answer was not a 429.
	throttledSince time.Time

	answered []time.Time // answers that were not 429s, in the last second
	jitter   func() float64

	// shareSince is when the pacer began counting, in accepted, the answers
	// that were not 429s, to compare with the rate (see lowShare).
	shareSince time.Time
	accepted   int
}

const (
	initialWindow = 8
	decrease      = 0.8
	increase      = 0.1
	minIncrease   = 0.5 // requests per second, per second
	minRate       = 0.5
	rateWindow    = time.Second
	lowShare      = 0.2
	lowShareSpan  = 3 * time.Second
)

func newPacer(ceiling int, jitter func() float64) *pacer {
	return &pacer{ceiling: ceiling, window: min(ceiling, initialWindow), jitter: jitter}
}

// ready reports whether a request may start at now. When it may not, at is
// when it may, or zero when only an answer can free a slot.
func (p *pacer) ready(now time.Time) (ok bool, at time.Time) {
	if p.flying >= p.limit() {
		return false, time.Time{}
	}
	if now.Before(p.next) {
		return false, p.next
	}
	return true, time.Time{}
}

// limit is how many requests may be in flight.
func (p *pacer) limit() int {
	if p.rate == 0 {
		return p.window
	}
	return p.ceiling
}

// start records a request sent at now, which ready allowed.
func (p *pacer) start(now time.Time) {
	p.flying++
	if p.rate > 0 {
		p.next = later(p.next, now).Add(p.interval())
	}
}

func (p *pacer) interval() time.Duration {
	return time.Duration(float64(time.Second) / p.rate)
}

// answer is what the pacer needs to know of an answer of Graph's.
type answer struct {
	throttled bool // a 429
	// pause is the Retry-After of a 429 or 503; zero when there was none.
	pause time.Duration
}

// finish records the end of a request: its answer was read, or it got none.
func (p *pacer) finish() { p.flying-- }

// learn records the answer at now to a request started at sent. The
// request may still be in flight, its body being read.
func (p *pacer) learn(now, sent time.Time, a answer) {
	if a.pause > 0 {
		p.pauseUntil(now.Add(a.pause))
	}
	if !a.throttled {
		p.throttledSince = time.Time{}
		p.accepted++
		p.grow(now)
		return
	}
	if p.throttledSince.IsZero() {
		p.throttledSince = now
	}
	switch {
	case sent.Before(p.episode):
	case a.pause > 0 && p.rate > 0:
		p.episode = now
		p.checkShare(now)
	default:
		p.cut(now)
	}
}

// checkShare cuts the rate when, over at least lowShareSpan, Graph accepted
// under lowShare of it.
func (p *pacer) checkShare(now time.Time) {
	span := now.Sub(p.shareSince)
	if span < lowShareSpan {
		return
	}
	achieved := float64(p.accepted) / span.Seconds()
	p.shareSince, p.accepted = now, 0
	if achieved < lowShare*p.rate {
		p.rate = max(p.rate/2, achieved, minRate)
		p.rateAtCut, p.lastGrowth = p.rate, now
	}
}

func (p *pacer) grow(now time.Time) {
	p.answered = append(p.forget(now), now)
	if p.rate == 0 {
		p.window = min(p.ceiling, p.window+1)
		return
	}
	elapsed := now.Sub(p.lastGrowth).Seconds()
	p.lastGrowth = now
	// Growing stops at twice what was answered in the last second, but a
	// rate already above that (after a pause, say) is kept.
	step := max(increase*p.rateAtCut, minIncrease) * min(elapsed, 1)
	grown := min(p.rate+step, 2*float64(len(p.answered))+1)
	p.rate = max(p.rate, grown)
}

func (p *pacer) cut(now time.Time) {
	if p.rate == 0 {
		// What Graph accepted in the last second is its allowance, burst
		// included; the decrease of later cuts trims the burst. A 429
		// before any answer says only that another client spent the
		// allowance: start from initialWindow a second.
		p.rate = max(float64(len(p.forget(now))), initialWindow)
	} else {
		p.rate *= decrease
	}
	p.rate = max(p.rate, minRate)
	p.rateAtCut, p.episode, p.lastGrowth = p.rate, now, now
	p.shareSince, p.accepted = now, 0
	// The requests still in flight were sent too fast: the next one waits a
	// whole interval, and not before a pause that is already running ends.
	p.next = later(p.next, now.Add(p.interval()))
}

// pauseUntil starts no request before end, and then only after a random part
// of one interval at the current rate.
func (p *pacer) pauseUntil(end time.Time) {
	if !end.After(p.pauseEnds) {
		return
	}
	p.pauseEnds = end
	spread := 100 * time.Millisecond
	if p.rate > 0 {
		spread = p.interval()
	}
	p.next = later(p.next, end.Add(time.Duration(p.jitter()*float64(spread))))
}

// forget drops the answers older than rateWindow and returns the rest.
func (p *pacer) forget(now time.Time) []time.Time {
	cutoff := now.Add(-rateWindow)
	i := 0
	for i < len(p.answered) && !p.answered[i].After(cutoff) {
		i++
	}
	p.answered = append(p.answered[:0], p.answered[i:]...)
	return p.answered
}

// throttledFor is how long every answer has been a 429; zero when the last
// answer was not one.
func (p *pacer) throttledFor(now time.Time) time.Duration {
	if p.throttledSince.IsZero() {
		return 0
	}
	return now.Sub(p.throttledSince)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
