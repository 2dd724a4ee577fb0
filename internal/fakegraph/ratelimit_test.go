package fakegraph

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// t0 is an arbitrary instant with a fraction of a second, so rounding to
// whole seconds shows.
var t0 = time.Date(2025, 3, 14, 15, 9, 26, 535_000_000, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

// takeAll asks b for a token at each instant and returns which were admitted.
func takeAll(b *tokenBucket, instants ...time.Time) []bool {
	out := make([]bool, len(instants))
	for i, now := range instants {
		_, out[i] = b.take(now)
	}
	return out
}

func equalBools(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestTokenBucketAdmitsItsBurstThenRefills(t *testing.T) {
	b := newTokenBucket(RateLimit{Rate: 10, Burst: 3})
	// Full at the start: three at once, then nothing.
	if got, want := takeAll(b, t0, t0, t0, t0), []bool{true, true, true, false}; !equalBools(got, want) {
		t.Fatalf("at once: admitted %v, want %v", got, want)
	}
	// One token per 100ms: none at 99ms, one at 100ms and only one.
	if got, want := takeAll(b, at(99*time.Millisecond), at(100*time.Millisecond), at(100*time.Millisecond)), []bool{false, true, false}; !equalBools(got, want) {
		t.Fatalf("refilling: admitted %v, want %v", got, want)
	}
	// A long quiet spell refills to Burst, not beyond.
	later := at(time.Hour)
	if got, want := takeAll(b, later, later, later, later), []bool{true, true, true, false}; !equalBools(got, want) {
		t.Fatalf("after an hour: admitted %v, want %v", got, want)
	}
}

// A refused request spends nothing: requests refused while the bucket
// refills do not delay the token it is refilling.
func TestTokenBucketRefusalsTakeNoToken(t *testing.T) {
	b := newTokenBucket(RateLimit{Rate: 10, Burst: 1})
	var instants []time.Time
	for ms := range 100 {
		instants = append(instants, at(time.Duration(ms)*time.Millisecond))
	}
	instants = append(instants, at(100*time.Millisecond))
	got := takeAll(b, instants...)
	for i, ok := range got {
		if want := i == 0 || i == 100; ok != want {
			t.Errorf("request at %dms: admitted %v, want %v", i, ok, want)
		}
	}
}

// An instant earlier than one already judged (two requests reaching the
// lock out of order) neither refills nor winds the bucket back.
func TestTokenBucketOutOfOrderArrivals(t *testing.T) {
	b := newTokenBucket(RateLimit{Rate: 10, Burst: 1})
	if got, want := takeAll(b, at(50*time.Millisecond), t0, at(149*time.Millisecond), at(150*time.Millisecond)), []bool{true, false, false, true}; !equalBools(got, want) {
		t.Errorf("admitted %v, want %v", got, want)
	}
}

func TestTokenBucketDefaultBurstIsOneSecondsWorth(t *testing.T) {
	for _, tc := range []struct {
		rate float64
		want int
	}{{0.2, 1}, {1, 1}, {2.5, 3}, {10, 10}} {
		b := newTokenBucket(RateLimit{Rate: tc.rate})
		admitted := 0
		for _, ok := range takeAll(b, t0, t0, t0, t0, t0, t0, t0, t0, t0, t0, t0, t0) {
			if ok {
				admitted++
			}
		}
		if admitted != tc.want {
			t.Errorf("Rate %v: %d admitted at once, want %d", tc.rate, admitted, tc.want)
		}
	}
}

func TestTokenBucketRetryAfterIsTheWaitRoundedUp(t *testing.T) {
	for _, tc := range []struct {
		name   string
		limit  RateLimit
		after  time.Duration // since the bucket was emptied at t0
		wantS  int64
		wantOK bool
	}{
		{"a token every 4s, just emptied", RateLimit{Rate: 0.25}, 0, 4, false},
		{"a token every 4s, 1.5s on", RateLimit{Rate: 0.25}, 1500 * time.Millisecond, 3, false},
		{"a token every 4s, 3.999s on", RateLimit{Rate: 0.25}, 3999 * time.Millisecond, 1, false},
		{"a token every 4s, 4s on", RateLimit{Rate: 0.25}, 4 * time.Second, 0, true},
		{"a token every 100ms: at least 1", RateLimit{Rate: 10, Burst: 1}, 0, 1, false},
		{"a token every 10s, 7s on", RateLimit{Rate: 0.1}, 7 * time.Second, 3, false},
	} {
		b := newTokenBucket(tc.limit)
		for {
			if _, ok := b.take(t0); !ok {
				break
			}
		}
		s, ok := b.take(at(tc.after))
		if ok != tc.wantOK || s != tc.wantS {
			t.Errorf("%s: (%d, %v), want (%d, %v)", tc.name, s, ok, tc.wantS, tc.wantOK)
		}
	}
}

func TestRetryAfterValueStyles(t *testing.T) {
	if got := retryAfterValue(RetryAfterSeconds, t0, 3); got != "3" {
		t.Errorf("seconds: %q, want 3", got)
	}
	if got := retryAfterValue(RetryAfterNone, t0, 3); got != "" {
		t.Errorf("none: %q, want no value", got)
	}
	// t0 is 15:09:26.535; three seconds on is 15:09:29.535, rounded up.
	if got, want := retryAfterValue(RetryAfterDate, t0, 3), "Fri, 14 Mar 2025 15:09:30 GMT"; got != want {
		t.Errorf("date: %q, want %q", got, want)
	}
	whole := t0.Truncate(time.Second)
	if got, want := retryAfterValue(RetryAfterDate, whole.In(time.FixedZone("UTC+2", 7200)), 1), "Fri, 14 Mar 2025 15:09:27 GMT"; got != want {
		t.Errorf("date from a whole second in another zone: %q, want %q", got, want)
	}
	if got := retryAfterValue(RetryAfterDate, t0, maxRetryAfterSeconds); !strings.HasSuffix(got, " GMT") {
		t.Errorf("date a century away: %q", got)
	}
}

func TestRetryAfterStyleText(t *testing.T) {
	for _, st := range []RetryAfterStyle{RetryAfterSeconds, RetryAfterDate, RetryAfterNone} {
		text, err := st.MarshalText()
		if err != nil {
			t.Fatalf("%v: %v", st, err)
		}
		var back RetryAfterStyle
		if err := back.UnmarshalText(text); err != nil || back != st {
			t.Errorf("%q reads back as %v, %v", text, back, err)
		}
	}
	var st RetryAfterStyle
	if err := st.UnmarshalText([]byte("Seconds")); err == nil || !strings.Contains(err.Error(), "want seconds, date or none") {
		t.Errorf("Seconds: %v", err)
	}
	if _, err := RetryAfterStyle(7).MarshalText(); err == nil {
		t.Error("an unknown style marshalled")
	}
}

// A limit that cannot work is refused, not run as one that never throttles.
func TestInvalidRateLimits(t *testing.T) {
	for _, l := range []RateLimit{
		{Rate: 0}, {Rate: -1}, {Rate: math.NaN()}, {Rate: math.Inf(1)},
		{Rate: 1, Burst: -1}, {Rate: 1, RetryAfter: RetryAfterStyle(7)},
	} {
		if s, err := Start(Config{RateLimit: &l}); err == nil {
			s.Close()
			t.Errorf("Start accepted %+v", l)
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("SetRateLimit accepted %+v", l)
				}
			}()
			(&Server{}).SetRateLimit(&l)
		}()
	}
}

// slowRate refills a token every five seconds: far longer than any test
// below takes, so no token comes back while one runs.
const slowRate = 0.2

// Burst requests sent at once are admitted and every other is refused,
// each refusal in Graph's envelope, marked in the log and counted.
func TestRateLimitAdmitsExactlyTheBurstAtOnce(t *testing.T) {
	t.Parallel()
	const burst, sent = 4, 10
	s := startServer(t, Config{RateLimit: &RateLimit{Rate: slowRate, Burst: burst}})
	tok := s.IssueToken(DefaultTenantID)

	replies := make([]reply, sent)
	var wg sync.WaitGroup
	for i := range replies {
		wg.Go(func() { replies[i] = get(t, s, portsOf8888, tok) })
	}
	wg.Wait()

	ok := 0
	for _, r := range replies {
		if r.status == http.StatusOK {
			ok++
			continue
		}
		e := expectError(t, r, http.StatusTooManyRequests, "TooManyRequests")
		if e.Error.InnerError.RequestID == "" || e.Error.InnerError.RequestID != r.header.Get("request-id") {
			t.Errorf("request-id %q in the body, %q in the header", e.Error.InnerError.RequestID, r.header.Get("request-id"))
		}
		// A token every 5s, none left: the wait is 5s or just under.
		if got := r.header.Get("Retry-After"); got != "5" {
			t.Errorf("Retry-After %q, want 5", got)
		}
	}
	if ok != burst {
		t.Errorf("%d of %d requests sent at once admitted, want the burst of %d", ok, sent, burst)
	}

	marked := 0
	for _, r := range s.Requests() {
		if r.RateLimited != (r.Status == http.StatusTooManyRequests) {
			t.Errorf("%s answered %d logged with RateLimited %v", r.Path, r.Status, r.RateLimited)
		}
		if r.RateLimited {
			marked++
		}
	}
	if marked != sent-burst || s.RateLimited() != sent-burst || s.Stats().RateLimited != sent-burst {
		t.Errorf("log marks %d, RateLimited() %d, Stats %d; want %d", marked, s.RateLimited(), s.Stats().RateLimited, sent-burst)
	}
	s.ResetLog()
	if s.RateLimited() != 0 {
		t.Errorf("RateLimited() %d after ResetLog", s.RateLimited())
	}
}

// The bucket is shared by every Graph route and version, with or without a
// token, and never applies to the endpoints a client gets tokens from.
func TestRateLimitCoversEveryGraphRouteOnly(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{RateLimit: &RateLimit{Rate: slowRate, Burst: 1}})
	tok := s.IssueToken(DefaultTenantID)
	decodePage(t, get(t, s, portsOf8888, tok))
	for _, path := range []string{
		portsOf8888,
		"/v1.0/security/threatIntelligence/hosts/8.8.8.8/ports/$count",
		"/beta/security/threatIntelligence/hostPorts/anything",
		"/v1.0/security/threatIntelligence/unknown",
	} {
		expectError(t, get(t, s, path, tok), http.StatusTooManyRequests, "TooManyRequests")
		expectError(t, get(t, s, path, ""), http.StatusTooManyRequests, "TooManyRequests")
	}

	for range 3 {
		if status, _ := postToken(t, s, DefaultTenantID, map[string][]string{
			"grant_type": {"client_credentials"}, "client_id": {DefaultClientID},
			"client_secret": {DefaultClientSecret}, "scope": {s.URL() + "/.default"},
		}); status != http.StatusOK {
			t.Errorf("token endpoint: HTTP %d", status)
		}
		for _, u := range []string{
			s.URL() + "/" + DefaultTenantID + "/v2.0/.well-known/openid-configuration",
			s.IssuerURL() + "/.well-known/openid-configuration",
		} {
			if r := getURL(t, s, u, ""); r.status != http.StatusOK {
				t.Errorf("%s: HTTP %d", u, r.status)
			}
		}
		if r, _ := fetchGitHubIDToken(t, s, GitHubRequestToken, "api://AzureADTokenExchange"); r.status != http.StatusOK {
			t.Errorf("GitHub ID token: HTTP %d", r.status)
		}
		req, err := http.NewRequest(http.MethodGet, s.ManagedIdentityEndpoint()+"?api-version=2019-08-01&resource=https://graph.microsoft.com", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-IDENTITY-HEADER", ManagedIdentityHeader)
		resp, err := s.HTTPClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("managed identity: HTTP %d", resp.StatusCode)
		}
	}
	if got := s.RateLimited(); got != 8 {
		t.Errorf("RateLimited() %d, want the 8 Graph requests", got)
	}
}

// Tokens come back with time: once a request is refused, one sent a token's
// interval later is admitted.
func TestRateLimitRefillsOverTime(t *testing.T) {
	t.Parallel()
	const rate, interval = 10, 100 * time.Millisecond
	s := startServer(t, Config{RateLimit: &RateLimit{Rate: rate, Burst: 2}})
	tok := s.IssueToken(DefaultTenantID)
	// Each request takes a token; the bucket gains one per 100ms, so
	// requests far quicker than that empty it.
	var refused reply
	for i := 0; refused.status == 0; i++ {
		if i == 100 {
			t.Fatal("100 requests in a row admitted at 10 per second")
		}
		if r := get(t, s, portsOf8888, tok); r.status != http.StatusOK {
			refused = r
		}
	}
	expectError(t, refused, http.StatusTooManyRequests, "TooManyRequests")
	if got := refused.header.Get("Retry-After"); got != "1" {
		t.Errorf("Retry-After %q, want 1: a token is under a second away", got)
	}
	// A token is due within one interval of the refusal; half as much
	// again is the margin for the request's own journey.
	time.Sleep(interval + interval/2)
	decodePage(t, get(t, s, portsOf8888, tok))
}

func TestRateLimitRetryAfterStyles(t *testing.T) {
	t.Parallel()
	for _, style := range []RetryAfterStyle{RetryAfterSeconds, RetryAfterDate, RetryAfterNone} {
		t.Run(style.String(), func(t *testing.T) {
			t.Parallel()
			s := startServer(t, Config{RateLimit: &RateLimit{Rate: slowRate, Burst: 1, RetryAfter: style}})
			tok := s.IssueToken(DefaultTenantID)
			decodePage(t, get(t, s, portsOf8888, tok))
			sent := time.Now()
			r := get(t, s, portsOf8888, tok)
			expectError(t, r, http.StatusTooManyRequests, "TooManyRequests")
			value, present := r.header["Retry-After"]
			switch style {
			case RetryAfterSeconds:
				n, err := strconv.Atoi(r.header.Get("Retry-After"))
				if err != nil || n < 1 || n > 5 {
					t.Errorf("Retry-After %q, want whole seconds from 1 to 5", value)
				}
			case RetryAfterDate:
				date, err := http.ParseTime(r.header.Get("Retry-After"))
				if err != nil || !date.After(sent) || date.After(sent.Add(6*time.Second)) {
					t.Errorf("Retry-After %q (%v), want an HTTP date within 6s after %v", value, err, sent.UTC())
				}
			case RetryAfterNone:
				if present {
					t.Errorf("Retry-After %q, want none", value)
				}
			}
		})
	}
}

// SetRateLimit works while the server runs: on, replaced with a full
// bucket, and off.
func TestSetRateLimitAtRunTime(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	tok := s.IssueToken(DefaultTenantID)
	for range 3 {
		decodePage(t, get(t, s, portsOf8888, tok))
	}
	s.SetRateLimit(&RateLimit{Rate: slowRate, Burst: 1})
	decodePage(t, get(t, s, portsOf8888, tok))
	expectError(t, get(t, s, portsOf8888, tok), http.StatusTooManyRequests, "TooManyRequests")

	s.SetRateLimit(&RateLimit{Rate: slowRate, Burst: 2})
	decodePage(t, get(t, s, portsOf8888, tok))
	decodePage(t, get(t, s, portsOf8888, tok))
	expectError(t, get(t, s, portsOf8888, tok), http.StatusTooManyRequests, "TooManyRequests")

	s.SetRateLimit(nil)
	for range 5 {
		decodePage(t, get(t, s, portsOf8888, tok))
	}
	if s.RateLimited() != 2 {
		t.Errorf("RateLimited() %d, want 2", s.RateLimited())
	}
}

// A request the ThrottleFor window answers is not the rate limit's: it is
// not marked and spends no token.
func TestThrottleWindowTakesNoRateLimitToken(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{RateLimit: &RateLimit{Rate: slowRate, Burst: 1}})
	tok := s.IssueToken(DefaultTenantID)
	s.ThrottleFor(time.Hour, "")
	for range 3 {
		expectError(t, get(t, s, portsOf8888, tok), http.StatusTooManyRequests, "TooManyRequests")
	}
	s.ThrottleFor(0, "")
	decodePage(t, get(t, s, portsOf8888, tok))
	for _, r := range s.Requests() {
		if r.RateLimited {
			t.Errorf("%s answered %d marked RateLimited", r.Path, r.Status)
		}
	}
	if s.RateLimited() != 0 {
		t.Errorf("RateLimited() %d, want 0", s.RateLimited())
	}
}

// The rate limit's 429 still takes the configured latency, like every answer.
func TestRateLimitAnswersAfterTheLatency(t *testing.T) {
	t.Parallel()
	const latency = 30 * time.Millisecond
	s := startServer(t, Config{Latency: latency, RateLimit: &RateLimit{Rate: slowRate, Burst: 1}})
	tok := s.IssueToken(DefaultTenantID)
	decodePage(t, get(t, s, portsOf8888, tok))
	expectError(t, get(t, s, portsOf8888, tok), http.StatusTooManyRequests, "TooManyRequests")
	reqs := s.Requests()
	if last := reqs[len(reqs)-1]; !last.RateLimited || last.Answered.Sub(last.Time) < latency {
		t.Errorf("429 answered %v after arrival (RateLimited %v), want at least %v", last.Answered.Sub(last.Time), last.RateLimited, latency)
	}
}
