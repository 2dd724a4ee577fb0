package fakegraph

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// RateLimit throttles Graph requests the way Graph's own limits do: a token
// bucket shared by every Graph route, refilled at Rate tokens per second and
// holding at most Burst. A request takes a token when it arrives, or is
// answered 429 TooManyRequests without taking one. Unlike ThrottleFor and
// KindThrottle faults, which answer 429 whatever the client does, it only
// throttles a client that goes faster than Rate, so it shows whether a
// client's retries and pacing keep it under a limit.
type RateLimit struct {
	// Rate is how many requests per second the bucket admits in the long
	// run; it must be positive and finite.
	Rate float64
	// Burst is the size of the bucket: how many requests are admitted at
	// once after a quiet spell. 0 means max(1, ceil(Rate)), a second's
	// worth of requests.
	Burst int
	// RetryAfter is how a 429 says when to come back.
	RetryAfter RetryAfterStyle
}

// RetryAfterStyle is the form of the Retry-After header on a 429 of the
// rate limit. Graph sends whole seconds; HTTP also allows a date, and some
// answers carry no header at all, and a client has to cope with each.
type RetryAfterStyle int

const (
	// RetryAfterSeconds sends whole seconds: the time until the bucket
	// holds a token again, rounded up, and at least 1.
	RetryAfterSeconds RetryAfterStyle = iota
	// RetryAfterDate sends an HTTP date (http.TimeFormat): the arrival time
	// plus the RetryAfterSeconds value.
	RetryAfterDate
	// RetryAfterNone sends no Retry-After header.
	RetryAfterNone
)

var retryAfterStyleNames = map[RetryAfterStyle]string{
	RetryAfterSeconds: "seconds", RetryAfterDate: "date", RetryAfterNone: "none",
}

// String is the style's name as the emulator command's -retry-after flag
// takes it: seconds, date or none.
func (st RetryAfterStyle) String() string {
	if n, ok := retryAfterStyleNames[st]; ok {
		return n
	}
	return fmt.Sprintf("RetryAfterStyle(%d)", int(st))
}

// MarshalText and UnmarshalText let the style be a flag (flag.TextVar) or a
// JSON string by name.
func (st RetryAfterStyle) MarshalText() ([]byte, error) {
	if _, ok := retryAfterStyleNames[st]; !ok {
		return nil, fmt.Errorf("fakegraph: unknown Retry-After style %d", int(st))
	}
	return []byte(st.String()), nil
}

// UnmarshalText accepts seconds, date or none.
func (st *RetryAfterStyle) UnmarshalText(text []byte) error {
	for style, name := range retryAfterStyleNames {
		if string(text) == name {
			*st = style
			return nil
		}
	}
	return fmt.Errorf("unknown Retry-After style %q: want seconds, date or none", text)
}

// validate rejects the limits a bucket cannot implement, so a mistake in a
// test or a flag shows at once rather than as a limit that never throttles.
func (l RateLimit) validate() error {
	switch _, known := retryAfterStyleNames[l.RetryAfter]; {
	case !(l.Rate > 0) || math.IsInf(l.Rate, 1):
		return fmt.Errorf("fakegraph: RateLimit.Rate must be a positive, finite number of requests per second, got %v", l.Rate)
	case l.Burst < 0:
		return fmt.Errorf("fakegraph: RateLimit.Burst must be 0 (one second's worth) or more, got %d", l.Burst)
	case !known:
		return fmt.Errorf("fakegraph: unknown RateLimit.RetryAfter %d", int(l.RetryAfter))
	}
	return nil
}

// SetRateLimit turns the rate limit on with l, replacing any earlier one
// with a full bucket, or off with nil. Like AddFault it panics on a limit
// that cannot work, since that is a mistake in the calling test.
func (s *Server) SetRateLimit(l *RateLimit) {
	if l == nil {
		s.rateLimit.Store(nil)
		return
	}
	if err := l.validate(); err != nil {
		panic(err.Error())
	}
	s.rateLimit.Store(newTokenBucket(*l))
}

// RateLimited counts the requests answered 429 by the rate limit since
// start (or the last ResetLog); ThrottleFor and faults are not counted.
func (s *Server) RateLimited() int { return int(s.rateLimited.Load()) }

// rateLimitRetryAfter judges a Graph request arriving at arrival against the
// rate limit. It reports whether the request is refused, and the
// Retry-After to refuse it with ("" for none).
func (s *Server) rateLimitRetryAfter(arrival time.Time) (string, bool) {
	b := s.rateLimit.Load()
	if b == nil {
		return "", false
	}
	seconds, ok := b.take(arrival)
	if ok {
		return "", false
	}
	return retryAfterValue(b.style, arrival, seconds), true
}

// retryAfterValue writes the header for a request refused at arrival whose
// token is seconds away.
func retryAfterValue(style RetryAfterStyle, arrival time.Time, seconds int64) string {
	switch style {
	case RetryAfterDate:
		// An HTTP date has whole seconds; rounding up rather than down
		// keeps a client that waits until the date from coming back
		// before the token it waits for.
		at := arrival.Add(time.Duration(seconds) * time.Second)
		if rounded := at.Truncate(time.Second); !rounded.Equal(at) {
			at = rounded.Add(time.Second)
		}
		return at.UTC().Format(http.TimeFormat)
	case RetryAfterNone:
		return ""
	default:
		return strconv.FormatInt(seconds, 10)
	}
}

// tokenBucket is the state of one RateLimit. It is told the time of each
// request rather than reading a clock, so its tests choose every instant.
type tokenBucket struct {
	rate     float64 // tokens added per second
	capacity float64
	style    RetryAfterStyle

	mu     sync.Mutex
	tokens float64
	// last is when tokens was last brought up to date; zero until the
	// first request, which finds the bucket full.
	last time.Time
}

// maxRetryAfterSeconds bounds the Retry-After of a very slow rate so that it
// still fits a time.Duration: a century is as good as forever to a client.
const maxRetryAfterSeconds = 100 * 365 * 24 * 60 * 60

// tokenEpsilon forgives the rounding of float arithmetic, so elapsed time
// that has earned a whole token is never refused for lacking a billionth.
const tokenEpsilon = 1e-9

func newTokenBucket(l RateLimit) *tokenBucket {
	capacity := float64(l.Burst)
	if l.Burst == 0 {
		capacity = math.Max(1, math.Ceil(l.Rate))
	}
	return &tokenBucket{rate: l.Rate, capacity: capacity, style: l.RetryAfter, tokens: capacity}
}

// take spends a token for a request arriving at now, or, when the bucket
// has none, reports in how many whole seconds (at least 1) it will have
// one. A refusal spends nothing, as Graph does not count a throttled
// request against the limit.
func (b *tokenBucket) take(now time.Time) (retryAfterSeconds int64, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	// Requests are judged in the order they reach the lock, which may not
	// be the order they arrived in; an earlier arrival after a later one
	// adds nothing rather than winding the bucket back.
	if b.last.IsZero() {
		b.last = now
	} else if now.After(b.last) {
		b.tokens = math.Min(b.capacity, b.tokens+now.Sub(b.last).Seconds()*b.rate)
		b.last = now
	}
	if b.tokens >= 1-tokenEpsilon {
		b.tokens = math.Max(0, b.tokens-1)
		return 0, true
	}
	// The epsilon keeps rounding noise from adding a whole second.
	wait := math.Ceil((1-b.tokens)/b.rate - tokenEpsilon)
	return int64(math.Min(math.Max(1, wait), maxRetryAfterSeconds)), false
}
