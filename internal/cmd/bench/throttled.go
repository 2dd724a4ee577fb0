package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
)

// With -throttled, the emulator allows a fixed number of requests a second
// (a token bucket over every Graph request, its burst one second's worth)
// and the same hosts are read three ways, run after run in turn: one
// defender_ti_hosts_ports with the default max_concurrent_requests, the same
// at 10, and a for_each of defender_ti_host_ports. Reading N hosts of one
// page each cannot take less than N/R after start-up, R being the limit.

// throttledScenario is one limit and the fleet read against it.
type throttledScenario struct {
	rate       int // requests per second, and the burst
	hosts      int
	retryAfter fakegraph.RetryAfterStyle
}

var throttledScenarios = []throttledScenario{
	{20, 300, fakegraph.RetryAfterSeconds},
	{20, 300, fakegraph.RetryAfterNone},
	{100, 1000, fakegraph.RetryAfterSeconds},
	{100, 1000, fakegraph.RetryAfterNone},
}

func (s throttledScenario) String() string {
	retryAfter := "Retry-After in seconds"
	if s.retryAfter == fakegraph.RetryAfterNone {
		retryAfter = "no Retry-After"
	}
	return fmt.Sprintf("%d/s, %d hosts, %s", s.rate, s.hosts, retryAfter)
}

// floor is N/R: the least time the limit allows for reading the hosts.
func (s throttledScenario) floor() time.Duration {
	return time.Duration(float64(s.hosts) / float64(s.rate) * float64(time.Second))
}

// throttledRead is one way of reading the hosts.
type throttledRead struct {
	name, varFile string
	fleet         bool
}

var throttledReads = []throttledRead{
	{"defender_ti_hosts_ports", "hosts.tfvars.json", true},
	{"defender_ti_hosts_ports, max_concurrent_requests = 10", "hosts-at-10.tfvars.json", true},
	{"for_each of defender_ti_host_ports", "hosts.tfvars.json", false},
}

// throttledPlan is one plan of one read; err is set when it failed.
type throttledPlan struct {
	run runResult
	err error
}

// throttledResult is one binary's plans of one read in one scenario.
type throttledResult struct {
	scenario throttledScenario
	read     throttledRead
	binary   string
	startup  time.Duration
	plans    []throttledPlan
}

func runThrottled(ctx context.Context, o options, out io.Writer) error {
	var results []throttledResult
	for i, scenario := range throttledScenarios {
		scenarioResults, err := measureScenario(ctx, o, scenario, filepath.Join(o.work, fmt.Sprintf("throttled-%d", i+1)))
		if err != nil {
			return err
		}
		results = append(results, scenarioResults...)
	}
	fmt.Fprintln(out)
	fmt.Fprintf(out, "Reads against a Graph that allows R requests a second (a token bucket over every Graph request, burst R), hosts of %d ports on one page, %s latency per Graph request, -parallelism=%d. "+
		"The three reads ran in turn, %d plan(s) each, the bucket full before each. Read time is wall minus start-up (the median of %d plan(s) with no hosts): the median with the lowest and highest, "+
		"against N/R; requests and 429s are the worst plan's.\n\n", o.ports, o.latency, o.parallelism, o.runs, o.startupRuns)
	printThrottled(out, o.markdown, results)
	if err := throttledVerdict(out, results); err != nil && o.strict {
		return err
	}
	return nil
}

// measureScenario reads the scenario's hosts each way, o.runs times in
// turn, with each binary.
func measureScenario(ctx context.Context, o options, scenario throttledScenario, work string) ([]throttledResult, error) {
	limit := &fakegraph.RateLimit{Rate: float64(scenario.rate), Burst: scenario.rate, RetryAfter: scenario.retryAfter}
	data := fakegraph.Generate(scenario.hosts, o.ports, o.seed)
	emulator, err := fakegraph.Start(fakegraph.Config{Latency: o.latency, Data: data})
	if err != nil {
		return nil, fmt.Errorf("starting the emulator: %w", err)
	}
	defer emulator.Close()

	scenarioOptions := o
	scenarioOptions.work, scenarioOptions.hosts = work, scenario.hosts
	forEach, err := prepareWorkDir(scenarioOptions, emulator, data.Hosts())
	if err != nil {
		return nil, err
	}
	fleet, err := prepareFleet(scenarioOptions, forEach)
	if err != nil {
		return nil, err
	}
	if err := writeVariables(filepath.Join(fleet.Dir, "hosts-at-10.tfvars.json"), map[string]any{"hosts": data.Hosts(), "max_concurrent_requests": 10}); err != nil {
		return nil, err
	}

	var results []throttledResult
	for _, binary := range o.binaries {
		forEach.Binary, fleet.Binary = binary, binary
		var startups []time.Duration
		for i := 0; i < o.startupRuns; i++ {
			one, err := plan(ctx, forEach, scenarioOptions, "empty.tfvars.json")
			if err != nil {
				return nil, err
			}
			startups = append(startups, one.wall)
		}
		first := len(results)
		for _, read := range throttledReads {
			results = append(results, throttledResult{scenario: scenario, read: read, binary: filepath.Base(binary), startup: median(startups)})
		}
		for i := 0; i < o.runs; i++ {
			for j, read := range throttledReads {
				runner := forEach
				if read.fleet {
					runner = fleet
				}
				fmt.Fprintf(os.Stderr, "==> %s, %s: %s, plan %d of %d\n", filepath.Base(binary), scenario, read.name, i+1, o.runs)
				emulator.SetRateLimit(limit)
				emulator.ResetLog()
				one, err := plan(ctx, runner, scenarioOptions, read.varFile)
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				one.stats = emulator.Stats()
				if err != nil {
					fmt.Fprintf(os.Stderr, "    failed: %s\n", lastLines(err.Error(), 5))
				} else {
					fmt.Fprintf(os.Stderr, "    %s wall, %d Graph requests, %d answered 429, %d in flight at most\n",
						one.wall.Round(time.Millisecond), one.stats.GraphRequests, one.stats.RateLimited, one.stats.MaxInFlight)
				}
				results[first+j].plans = append(results[first+j].plans, throttledPlan{run: one, err: err})
			}
		}
	}
	return results, nil
}

func writeVariables(path string, variables map[string]any) error {
	b, err := json.Marshal(variables)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

// succeeded is how many plans succeeded.
func (r throttledResult) succeeded() int {
	n := 0
	for _, p := range r.plans {
		if p.err == nil {
			n++
		}
	}
	return n
}

// readTimes are the succeeded plans' wall times minus start-up, sorted.
func (r throttledResult) readTimes() []time.Duration {
	var times []time.Duration
	for _, p := range r.plans {
		if p.err == nil {
			times = append(times, p.run.wall-r.startup)
		}
	}
	slices.Sort(times)
	return times
}

// ratio is the median read time over N/R; zero when no plan succeeded.
func (r throttledResult) ratio() float64 {
	times := r.readTimes()
	if len(times) == 0 {
		return 0
	}
	return times[len(times)/2].Seconds() / r.scenario.floor().Seconds()
}

// worst429s is the highest share of a plan's Graph requests answered 429,
// with that plan's counts.
func (r throttledResult) worst429s() (share float64, refused, requests int) {
	for _, p := range r.plans {
		if p.run.stats.GraphRequests == 0 {
			continue
		}
		if s := float64(p.run.stats.RateLimited) / float64(p.run.stats.GraphRequests); s >= share {
			share, refused, requests = s, p.run.stats.RateLimited, p.run.stats.GraphRequests
		}
	}
	return share, refused, requests
}

func printThrottled(out io.Writer, markdown bool, results []throttledResult) {
	header := []string{"limit and fleet", "binary", "read", "plans that succeeded", "read time (lowest-highest)", "N/R", "ratio", "requests / 429s (worst plan)", "most in flight"}
	var rows [][]string
	for _, r := range results {
		readTime, ratio := "-", "-"
		if times := r.readTimes(); len(times) > 0 {
			readTime = fmt.Sprintf("%s (%s-%s)", seconds(times[len(times)/2]), seconds(times[0]), seconds(times[len(times)-1]))
			ratio = fmt.Sprintf("%.2fx", r.ratio())
		}
		share, refused, requests := r.worst429s()
		mostInFlight := 0
		for _, p := range r.plans {
			mostInFlight = max(mostInFlight, p.run.stats.MaxInFlight)
		}
		rows = append(rows, []string{
			r.scenario.String(), r.binary, r.read.name,
			fmt.Sprintf("%d of %d", r.succeeded(), len(r.plans)),
			readTime, seconds(r.scenario.floor()), ratio,
			fmt.Sprintf("%d / %d (%.1f%%)", requests, refused, 100*share),
			fmt.Sprint(mostInFlight),
		})
	}
	printRows(out, markdown, header, rows)
}

// throttledVerdict prints the targets: every plan succeeds; the fleet read
// with the default settings takes at most 1.15 times N/R after start-up, and
// at most 5% of its requests are answered 429.
func throttledVerdict(out io.Writer, results []throttledResult) error {
	var missed int
	fmt.Fprintln(out)
	for _, r := range results {
		label := fmt.Sprintf("%s, %s, %s", r.binary, r.scenario, r.read.name)
		checks := []check{{r.succeeded() == len(r.plans), fmt.Sprintf("every plan succeeds (%d of %d)", r.succeeded(), len(r.plans))}}
		if r.read.varFile == "hosts.tfvars.json" && r.read.fleet {
			share, refused, requests := r.worst429s()
			checks = append(checks,
				check{r.succeeded() > 0 && r.ratio() <= 1.15, fmt.Sprintf("read time at most 1.15 times N/R (%.2fx)", r.ratio())},
				check{share <= 0.05, fmt.Sprintf("at most 5%% of requests answered 429 (%d of %d)", refused, requests)})
		}
		for _, c := range checks {
			mark := "ok  "
			if !c.ok {
				mark = "MISS"
				missed++
			}
			fmt.Fprintf(out, "%s %s: %s\n", mark, label, c.what)
		}
	}
	if missed > 0 {
		return fmt.Errorf("%d target(s) missed", missed)
	}
	return nil
}
