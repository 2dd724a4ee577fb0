package graph

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// simulatedGraph is Graph's throttling as a token bucket over every request,
// judged when a request arrives, answering 429 with Retry-After in whole
// seconds (or none) when the bucket is empty.
type simulatedGraph struct {
	rate, burst float64
	retryAfter  bool
	tokens      float64
	last        time.Time
}

func (g *simulatedGraph) serve(now time.Time) answer {
	g.tokens = min(g.burst, g.tokens+now.Sub(g.last).Seconds()*g.rate)
	g.last = now
	if g.tokens >= 1 {
		g.tokens--
		return answer{}
	}
	a := answer{throttled: true}
	if g.retryAfter {
		a.pause = time.Duration(max(1, math.Ceil((1-g.tokens)/g.rate))) * time.Second
	}
	return a
}

// simulatedClient is one process's fleet read: workers each read one
// single-page host after another through one pacer; a throttled request
// goes back to the queue in the order it first arrived.
type simulatedClient struct {
	pacer    *pacer
	hosts    int
	started  int // hosts handed to a worker
	finished int
	queue    []simulatedRequest // waiting, by arrival
	end      time.Time
	sent     int
	refused  int
	// firstThrottled is when the first 429 reached the client, and
	// refusedLater counts the 429s to requests sent after it: the 429s
	// the pacer could have avoided, where the others answer the requests
	// already on their way when Graph's first 429 arrived.
	firstThrottled time.Time
	refusedLater   int
	// mostThrottled is the most 429s one request met.
	mostThrottled int
}

type simulatedRequest struct {
	arrival   time.Time
	throttled int
}

type simulatedAnswer struct {
	at      time.Time
	client  int
	sent    time.Time
	request simulatedRequest
	answer  answer
}

// simulate runs clients against one Graph until every host of each is read,
// with latency per request (give or take a quarter, as a network varies,
// so that the answers to one burst arrive spread out), and returns the
// clients with their figures.
func simulate(t *testing.T, graph *simulatedGraph, latency time.Duration, clients ...*simulatedClient) {
	t.Helper()
	start := time.Unix(1_000_000, 0)
	now := start
	graph.tokens, graph.last = graph.burst, start
	for _, c := range clients {
		for c.started < min(c.pacer.ceiling, c.hosts) {
			c.started++
			c.queue = append(c.queue, simulatedRequest{arrival: now})
		}
	}
	var inFlight []simulatedAnswer
	spread := rand.New(rand.NewPCG(7, 7))
	for step := 0; ; step++ {
		if step > 10_000_000 {
			t.Fatal("the simulation does not end")
		}
		wake := time.Time{}
		for i, c := range clients {
			for len(c.queue) > 0 {
				ok, at := c.pacer.ready(now)
				if !ok {
					if !at.IsZero() && (wake.IsZero() || at.Before(wake)) {
						wake = at
					}
					break
				}
				r := c.queue[0]
				c.queue = c.queue[1:]
				c.pacer.start(now)
				c.sent++
				took := time.Duration(float64(latency) * (0.75 + 0.5*spread.Float64()))
				inFlight = append(inFlight, simulatedAnswer{at: now.Add(took), client: i, sent: now, request: r, answer: graph.serve(now)})
			}
		}
		if len(inFlight) == 0 && wake.IsZero() {
			break
		}
		slices.SortStableFunc(inFlight, func(a, b simulatedAnswer) int { return a.at.Compare(b.at) })
		if len(inFlight) > 0 && (wake.IsZero() || !inFlight[0].at.After(wake)) {
			wake = inFlight[0].at
		}
		now = wake
		for len(inFlight) > 0 && !inFlight[0].at.After(now) {
			a := inFlight[0]
			inFlight = inFlight[1:]
			c := clients[a.client]
			c.pacer.done(now, a.sent, a.answer)
			if a.answer.throttled {
				if c.firstThrottled.IsZero() {
					c.firstThrottled = now
				}
				if a.sent.After(c.firstThrottled) {
					c.refusedLater++
				}
				c.refused++
				a.request.throttled++
				c.mostThrottled = max(c.mostThrottled, a.request.throttled)
				i, _ := slices.BinarySearchFunc(c.queue, a.request.arrival, func(r simulatedRequest, at time.Time) int { return r.arrival.Compare(at) })
				c.queue = slices.Insert(c.queue, i, a.request)
				continue
			}
			c.finished++
			if c.finished == c.hosts {
				c.end = now
			}
			if c.started < c.hosts {
				c.started++
				c.queue = append(c.queue, simulatedRequest{arrival: now})
			}
		}
	}
	for i, c := range clients {
		if c.finished != c.hosts {
			t.Fatalf("client %d read %d of %d hosts", i, c.finished, c.hosts)
		}
		c.end = start.Add(c.end.Sub(start))
		t.Logf("client %d: %d hosts in %s, %d requests, %d answered 429 (%.1f%%; %d after the first), at most %d 429s for one request, rate %.1f/s at the end",
			i, c.hosts, c.end.Sub(start).Round(time.Millisecond), c.sent, c.refused, 100*float64(c.refused)/float64(c.sent), c.refusedLater,
			c.mostThrottled, c.pacer.rate)
	}
}

func newSimulatedClient(hosts, ceiling int, seed uint64) *simulatedClient {
	r := rand.New(rand.NewPCG(seed, seed))
	return &simulatedClient{hosts: hosts, pacer: newPacer(ceiling, r.Float64)}
}

func (c *simulatedClient) wall() time.Duration { return c.end.Sub(time.Unix(1_000_000, 0)) }

// A fleet against a rate limit is read in at most 1.15 times hosts/rate.
// Most of its 429s answer the requests already on their way when Graph's
// first 429 arrives (about half its burst, which slow start sends within a
// round trip); after that at most 2% of its requests are refused.
func TestPacerReadsAFleetAtTheLimit(t *testing.T) {
	for _, tc := range []struct {
		name        string
		hosts       int
		rate, burst float64
		retryAfter  bool
		ceiling     int
	}{
		{"20/s, 300 hosts, Retry-After", 300, 20, 20, true, 100},
		{"20/s, 300 hosts, no Retry-After", 300, 20, 20, false, 100},
		{"20/s, 300 hosts, ceiling 10", 300, 20, 20, true, 10},
		{"100/s, 1000 hosts, Retry-After", 1000, 100, 100, true, 100},
		{"100/s, 1000 hosts, no Retry-After", 1000, 100, 100, false, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newSimulatedClient(tc.hosts, tc.ceiling, 1)
			simulate(t, &simulatedGraph{rate: tc.rate, burst: tc.burst, retryAfter: tc.retryAfter}, 50*time.Millisecond, c)
			ideal := time.Duration(float64(tc.hosts) / tc.rate * float64(time.Second))
			if ratio := c.wall().Seconds() / ideal.Seconds(); ratio > 1.15 {
				t.Errorf("read in %s, %.2f times the %s the limit allows; want at most 1.15", c.wall(), ratio, ideal)
			}
			if share := float64(c.refusedLater) / float64(c.sent); share > 0.02 {
				t.Errorf("%d of %d requests sent after the first 429 were answered 429, want at most 2%%", c.refusedLater, c.sent)
			}
			if share := float64(c.refused) / float64(c.sent); share > 0.10 {
				t.Errorf("%d of %d requests answered 429, want at most 10%%", c.refused, c.sent)
			}
		})
	}
}

// A limit far below its burst (150 requests a minute, say) is first learned
// as the burst; the pauses hold the read to the limit at once, and the cuts
// bring the rate down towards it, so that each pause costs one 429.
func TestPacerLearnsALimitFarBelowItsBurst(t *testing.T) {
	c := newSimulatedClient(200, 100, 1)
	simulate(t, &simulatedGraph{rate: 5, burst: 100, retryAfter: true}, 50*time.Millisecond, c)
	if c.pacer.rate < 4 || c.pacer.rate > 20 {
		t.Errorf("the rate ended at %.1f/s, want it down from the burst's 100/s to within 4 times the limit of 5/s", c.pacer.rate)
	}
	if share := float64(c.refusedLater) / float64(c.sent); share > 0.12 {
		t.Errorf("%d of %d requests sent after the first 429 were answered 429, want at most 12%%", c.refusedLater, c.sent)
	}
	if perfect := time.Duration(float64(c.hosts-100) / 5 * float64(time.Second)); c.wall() > perfect*115/100 {
		t.Errorf("read in %s; the burst and the limit allow %s", c.wall(), perfect)
	}
}

// Two processes reading fleets against one application's limit both finish,
// in about the time the limit allows for both, sharing it about evenly.
func TestPacerSharesALimitEvenly(t *testing.T) {
	for _, retryAfter := range []bool{true, false} {
		for seed := uint64(1); seed <= 9; seed += 2 {
			a, b := newSimulatedClient(300, 100, seed), newSimulatedClient(300, 100, seed+1)
			simulate(t, &simulatedGraph{rate: 20, burst: 20, retryAfter: retryAfter}, 50*time.Millisecond, a, b)
			both := time.Duration(float64(a.hosts+b.hosts) / 20 * float64(time.Second))
			slower, faster := max(a.wall(), b.wall()), min(a.wall(), b.wall())
			if slower > both*115/100 {
				t.Errorf("Retry-After %t: the later read ended after %s; the limit allows both in %s", retryAfter, slower, both)
			}
			// Even shares end together; a read that got a third of the limit
			// while both ran would end in under two thirds of the other's time.
			if faster < slower*3/4 {
				t.Errorf("Retry-After %t: one read ended after %s, the other after %s: the limit was not shared evenly", retryAfter, faster, slower)
			}
			// Each process learns the limit on its own, so each pays for
			// probing: more 429s than one alone, still a small part.
			if share := float64(a.refused+b.refused) / float64(a.sent+b.sent); share > 0.10 {
				t.Errorf("Retry-After %t: %d of %d requests answered 429, want at most 10%%", retryAfter, a.refused+b.refused, a.sent+b.sent)
			}
		}
	}
}

// Until Graph throttles, the pacer bounds only the requests in flight, and
// the bound grows from initialWindow to the ceiling within a few round trips.
func TestPacerDoesNotSlowAnUnthrottledRead(t *testing.T) {
	c := newSimulatedClient(2000, 100, 1)
	simulate(t, &simulatedGraph{rate: 1e9, burst: 1e9}, 50*time.Millisecond, c)
	// 2,000 requests at 100 in flight take 20 round trips; the window's
	// growth from 8 may add at most 4.
	if most := 24 * 50 * time.Millisecond; c.wall() > most {
		t.Errorf("read in %s, want at most %s", c.wall(), most)
	}
	if c.pacer.rate != 0 || c.refused != 0 {
		t.Errorf("rate %.1f/s after %d 429s; want no pacing without throttling", c.pacer.rate, c.refused)
	}
}

// done records, in the simulation, the answer at now to a request started
// at sent and the end of that request, which the gate records apart.
func (p *pacer) done(now, sent time.Time, a answer) {
	p.finish()
	p.learn(now, sent, a)
}
