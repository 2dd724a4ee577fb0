// Command bench measures the provider end to end, as a user runs it: a real
// tofu and terraform plan a for_each over many hosts through dev_overrides,
// against the bundled Graph emulator with a fixed latency added to every
// Graph request. Reading hosts in parallel, a plan cannot finish sooner than
// ceil(hosts / parallelism) x pages per host x latency after Terraform has
// started; the table shows how close each binary comes, what the run cost on
// the emulator (token and Graph requests, connections) and the provider
// process's peak memory and CPU time.
//
// `make bench` builds the provider and runs this with its defaults.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
	"github.com/defender-ti/terraform-provider-defender/internal/tfcli"
)

type options struct {
	hosts, ports, pageSize int
	latency                time.Duration
	parallelism            int
	maxConcurrentRequests  int
	binaries               []string
	providerDir, work      string
	httpProviderDir        string
	referenceProviderDir   string
	fleet                  bool
	runs, startupRuns      int
	selectAttributes       []string
	seed                   int64
	markdown, strict       bool
	throttled              bool
	exposure               bool
}

func main() {
	if runningAsProvider() {
		os.Exit(serveAsProvider())
	}
	var o options
	var binaries, selectList string
	flag.IntVar(&o.hosts, "hosts", 200, "hosts to read, one data source instance each")
	flag.IntVar(&o.ports, "ports", 3, "ports per host")
	flag.IntVar(&o.pageSize, "page-size", 1, "the emulator's page size")
	flag.DurationVar(&o.latency, "latency", 50*time.Millisecond, "latency the emulator adds to every Graph request")
	flag.IntVar(&o.parallelism, "parallelism", 10, "the plan's -parallelism (10 is Terraform's default)")
	flag.IntVar(&o.maxConcurrentRequests, "max-concurrent-requests", 0, "the provider's max_concurrent_requests; 0 leaves its default")
	flag.StringVar(&binaries, "binaries", ".tools/bin/tofu,.tools/bin/terraform", "comma-separated terraform or tofu binaries to measure")
	flag.StringVar(&o.providerDir, "provider-dir", "bin", "the directory holding the built terraform-provider-defender")
	flag.StringVar(&o.httpProviderDir, "http-provider-dir", "", "the directory holding a built terraform-provider-http; when set, the same hosts are also read with data \"http\" and jsondecode, for comparison")
	flag.StringVar(&o.referenceProviderDir, "reference-provider-dir", "", "the directory holding a terraform-provider-defender built with -tags frameworkread; when set, each binary also plans the same hosts with it and with the provider, run by run, to compare the two read paths")
	flag.BoolVar(&o.fleet, "fleet", false, "also read the same hosts through one defender_ti_hosts_ports, and compare it with the for_each plan")
	flag.BoolVar(&o.throttled, "throttled", false, "instead, read fleets against a rate-limited Graph (20 requests/s with 300 hosts, 100/s with 1,000, with and without Retry-After): the fleet read, the same at max_concurrent_requests = 10, and a for_each")
	flag.BoolVar(&o.exposure, "exposure", false, "instead, read the ports, reputation, certificates, components and WHOIS record of every host with a for_each of the five per-host data sources and with one defender_ti_hosts, in turn, and compare the two")
	flag.StringVar(&o.work, "work", ".bench", "a scratch directory for the configuration and the CLI configuration")
	flag.IntVar(&o.runs, "runs", 3, "measured plans per binary; the median wall time is reported")
	flag.IntVar(&o.startupRuns, "startup-runs", 3, "plans of the same configuration with no hosts per binary, to measure start-up; the median is reported")
	flag.StringVar(&selectList, "select", "", "comma-separated attributes for the data source's select; empty reads every attribute")
	flag.Int64Var(&o.seed, "seed", 1, "seed of the generated data set")
	flag.BoolVar(&o.markdown, "markdown", true, "print the results as a Markdown table")
	flag.BoolVar(&o.strict, "strict", false, "exit with an error when a target is missed")
	flag.Parse()
	o.binaries = splitList(binaries)
	o.selectAttributes = splitList(selectList)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench failed:", err)
		os.Exit(1)
	}
}

func splitList(s string) []string {
	var out []string
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// result is what one binary measured.
type result struct {
	binary, version string
	startup         time.Duration
	wall            time.Duration // median over runs
	runs            []runResult
}

// runResult is one measured plan.
type runResult struct {
	wall            time.Duration
	stats           fakegraph.Stats
	providerPeakRSS int64
	providerCPU     time.Duration
	// totalCPU is the CPU time of terraform or tofu and every process it
	// started and waited for, the provider among them.
	totalCPU  time.Duration
	providers int
	openPorts string
	// started is when the plan was started; phases split its wall time
	// around its Graph requests.
	started   time.Time
	phases    phases
	hasPhases bool
}

func run(ctx context.Context, o options, out io.Writer) error {
	if o.hosts < 1 || o.ports < 0 || o.pageSize < 1 || o.parallelism < 1 || o.runs < 1 || o.startupRuns < 1 || len(o.binaries) == 0 {
		return errors.New("hosts, page-size, parallelism, runs and startup-runs must be positive, ports not negative, and binaries not empty")
	}
	provider := filepath.Join(o.providerDir, providerBinaryName)
	if _, err := os.Stat(provider); err != nil {
		return fmt.Errorf("no provider binary at %s: run `make build` first: %w", provider, err)
	}
	if o.throttled {
		return runThrottled(ctx, o, out)
	}
	if o.exposure {
		return runExposure(ctx, o, out)
	}

	fmt.Fprintf(os.Stderr, "==> Generating %d hosts of %d ports (seed %d).\n", o.hosts, o.ports, o.seed)
	data := fakegraph.Generate(o.hosts, o.ports, o.seed)
	emulator, err := fakegraph.Start(fakegraph.Config{PageSize: o.pageSize, Latency: o.latency, Data: data})
	if err != nil {
		return fmt.Errorf("starting the emulator: %w", err)
	}
	defer emulator.Close()

	runner, err := prepareWorkDir(o, emulator, data.Hosts())
	if err != nil {
		return err
	}
	pagesPerHost := max(1, (o.ports+o.pageSize-1)/o.pageSize)
	pages := o.hosts * pagesPerHost
	ideal := time.Duration((o.hosts+o.parallelism-1)/o.parallelism*pagesPerHost) * o.latency

	var results []result
	for _, binary := range o.binaries {
		runner.Binary = binary
		r, err := measure(ctx, o, runner, emulator)
		if err != nil {
			return err
		}
		results = append(results, r)
	}
	var fleets []fleetResult
	if o.fleet {
		fleetRunner, err := prepareFleet(o, runner)
		if err != nil {
			return err
		}
		for _, binary := range o.binaries {
			fleetRunner.Binary = binary
			f, err := measureFleet(ctx, o, fleetRunner, emulator)
			if err != nil {
				return err
			}
			fleets = append(fleets, f)
		}
	}
	var readPaths []readPathResult
	if o.referenceProviderDir != "" {
		for i, binary := range o.binaries {
			runner.Binary = binary
			r, err := measureReadPaths(ctx, o, runner, emulator, results[i].version)
			if err != nil {
				return err
			}
			readPaths = append(readPaths, r)
		}
	}
	var alternatives []alternativeResult
	if o.httpProviderDir != "" {
		httpRunner, err := prepareHTTPAlternative(o, emulator, data.Hosts(), pagesPerHost)
		if err != nil {
			return err
		}
		for _, binary := range o.binaries {
			httpRunner.Binary = binary
			a, err := measureHTTPAlternative(ctx, o, httpRunner, emulator)
			if err != nil {
				return err
			}
			alternatives = append(alternatives, a)
		}
	}

	fmt.Fprintln(out)
	fmt.Fprintf(out, "%d hosts x %d ports, page size %d (%d pages per host, %d in all), %s latency per Graph request, -parallelism=%d, select: %s.\n",
		o.hosts, o.ports, o.pageSize, pagesPerHost, pages, o.latency, o.parallelism, selectDescription(o.selectAttributes))
	fmt.Fprintf(out, "Ideal = ceil(%d / %d) x %d pages x %s = %s. Ratio = (wall - start-up) / ideal; target <= 1.25.\n",
		o.hosts, o.parallelism, pagesPerHost, o.latency, ideal)
	fmt.Fprintf(out, "Wall is the median of %d plan(s) with the lowest and highest, start-up the median of %d plan(s) of the same configuration with no hosts; the other columns are the worst run.\n\n", o.runs, o.startupRuns)
	printTable(out, o.markdown, results, ideal, pages)
	fmt.Fprintln(out)
	fmt.Fprintln(out, "Where the wall time of each binary's median plan went: start-up is the plan with no hosts; reading runs from the first Graph request to the last answer.")
	fmt.Fprintln(out)
	printPhases(out, o.markdown, results, ideal)
	if len(alternatives) > 0 {
		fmt.Fprintln(out)
		fmt.Fprintf(out, "The same hosts read without this provider: a token from elsewhere and %d chained data \"http\" per host, each following the previous page's @odata.nextLink, decoded with jsondecode. Wall is the median of %d plan(s) each, with the lowest and highest.\n\n", pagesPerHost, o.runs)
		printComparison(out, o.markdown, results, alternatives)
	}
	if len(fleets) > 0 {
		fmt.Fprintln(out)
		concurrency := "the provider's default max_concurrent_requests"
		if o.maxConcurrentRequests > 0 {
			concurrency = fmt.Sprintf("max_concurrent_requests = %d", o.maxConcurrentRequests)
		}
		fmt.Fprintf(out, "The same hosts read through one defender_ti_hosts_ports (%s) against the for_each plan above; wall is the median of %d plan(s) each with the lowest and highest, the speed-up compares the medians after start-up, and CPU is the worst run's.\n\n", concurrency, o.runs)
		printFleet(out, o.markdown, results, fleets)
	}
	if len(readPaths) > 0 {
		fmt.Fprintln(out)
		fmt.Fprintf(out, "The same hosts planned with the provider and with a build that reads through the plugin framework's own server (-tags frameworkread), alternating, %d plan(s) each: median (lowest-highest).\n\n", o.runs)
		printReadPaths(out, o.markdown, readPaths)
	}
	if err := verdict(out, results, alternatives, readPaths, fleets, ideal, pages); err != nil && o.strict {
		return err
	}
	return nil
}

func selectDescription(attributes []string) string {
	if len(attributes) == 0 {
		return "every attribute"
	}
	return strings.Join(attributes, ", ")
}

// configurationPrologue declares the provider and the variables every
// configuration of the benchmark reads its hosts from.
const configurationPrologue = `terraform {
  required_providers {
    defender = { source = "defender-ti/defender" }
  }
}

provider "defender" {
  max_concurrent_requests = var.max_concurrent_requests
}

variable "max_concurrent_requests" {
  type    = number
  default = null
}

variable "hosts" {
  type = set(string)
}

variable "select" {
  type    = set(string)
  default = null
}
`

// configuration reads every host with a for_each of defender_ti_host_ports.
const configuration = configurationPrologue + `
data "defender_ti_host_ports" "host" {
  for_each = var.hosts
  host_id  = each.value
  select   = var.select
}

output "open_ports" {
  value = length(flatten([for host in data.defender_ti_host_ports.host : host.open_ports]))
}
`

// prepareWorkDir writes the configuration, one variables file with every
// host and one with none, the emulator's CA and the CLI configuration.
func prepareWorkDir(o options, emulator *fakegraph.Server, hosts []string) (tfcli.Runner, error) {
	if err := os.RemoveAll(o.work); err != nil {
		return tfcli.Runner{}, err
	}
	if err := os.MkdirAll(o.work, 0o755); err != nil {
		return tfcli.Runner{}, err
	}
	caFile, err := filepath.Abs(filepath.Join(o.work, "emulator-ca.pem"))
	if err != nil {
		return tfcli.Runner{}, err
	}
	variables := func(hosts []string) []byte {
		v := map[string]any{"hosts": hosts}
		if len(o.selectAttributes) > 0 {
			v["select"] = o.selectAttributes
		}
		if o.maxConcurrentRequests > 0 {
			v["max_concurrent_requests"] = o.maxConcurrentRequests
		}
		b, _ := json.Marshal(v)
		return b
	}
	files := map[string][]byte{
		"main.tf":           []byte(configuration),
		"hosts.tfvars.json": variables(hosts),
		"empty.tfvars.json": variables([]string{}),
		caFile:              emulator.CAPEM(),
	}
	for name, content := range files {
		if !filepath.IsAbs(name) {
			name = filepath.Join(o.work, name)
		}
		if err := os.WriteFile(name, content, 0o600); err != nil {
			return tfcli.Runner{}, err
		}
	}
	standInDir := filepath.Join(o.work, "provider")
	standInEnv, err := installProviderStandIn(standInDir, filepath.Join(o.providerDir, providerBinaryName), usageDir(o))
	if err != nil {
		return tfcli.Runner{}, fmt.Errorf("installing the provider's stand-in: %w", err)
	}
	runner := tfcli.Runner{
		Dir:       o.work,
		CLIConfig: filepath.Join(o.work, "cli.tfrc"),
		Env:       append(emulator.ProviderEnvironment(caFile), standInEnv...),
	}
	return runner, tfcli.WriteCLIConfig(runner.CLIConfig, standInDir)
}

// measureStartup is the median wall time of o.startupRuns plans of runner's
// configuration with no hosts: what every plan pays before reading.
func measureStartup(ctx context.Context, o options, runner tfcli.Runner, binary string) (time.Duration, error) {
	var startups []time.Duration
	for i := 0; i < o.startupRuns; i++ {
		fmt.Fprintf(os.Stderr, "==> %s: start-up plan %d of %d (no hosts)\n", binary, i+1, o.startupRuns)
		one, err := plan(ctx, runner, o, "empty.tfvars.json")
		if err != nil {
			return 0, err
		}
		startups = append(startups, one.wall)
	}
	return median(startups), nil
}

// usageDir is where the provider's stand-in records each process's usage.
func usageDir(o options) string { return filepath.Join(o.work, "usage") }

func measure(ctx context.Context, o options, runner tfcli.Runner, emulator *fakegraph.Server) (result, error) {
	r := result{binary: filepath.Base(runner.Binary)}
	version, err := runner.Run(ctx, "version")
	if err != nil {
		return r, err
	}
	r.version = firstLine(version.Stdout)

	if r.startup, err = measureStartup(ctx, o, runner, r.binary); err != nil {
		return r, err
	}

	r.runs, r.wall, err = measuredPlans(o, r.binary, emulator, func() (runResult, error) {
		return plan(ctx, runner, o, "hosts.tfvars.json")
	})
	return r, err
}

// measuredPlans runs o.runs plans of every host with planOnce, each with a
// fresh emulator log, and returns them with their median wall time.
func measuredPlans(o options, label string, emulator *fakegraph.Server, planOnce func() (runResult, error)) ([]runResult, time.Duration, error) {
	var runs []runResult
	var walls []time.Duration
	for i := 0; i < o.runs; i++ {
		fmt.Fprintf(os.Stderr, "==> %s: plan %d of %d (%d hosts)\n", label, i+1, o.runs, o.hosts)
		emulator.ResetLog()
		one, err := planOnce()
		if err != nil {
			return runs, 0, err
		}
		one.stats = emulator.Stats()
		one.phases, one.hasPhases = planPhases(one.started, one.wall, emulator.Requests(), o.latency)
		fmt.Fprintf(os.Stderr, "    %s wall, %d token request(s), %d Graph request(s), %d connection(s), provider peak RSS %s, provider CPU %s, total CPU %s, open ports %s\n",
			one.wall.Round(time.Millisecond), one.stats.TokenRequests, one.stats.GraphRequests, one.stats.Connections,
			mebibytes(one.providerPeakRSS), one.providerCPU, one.totalCPU, one.openPorts)
		runs = append(runs, one)
		walls = append(walls, one.wall)
	}
	return runs, median(walls), nil
}

var openPortsOutput = regexp.MustCompile(`open_ports\s*=\s*(\d+)`)

// plan runs one plan and collects the usage of the provider processes it
// started.
func plan(ctx context.Context, runner tfcli.Runner, o options, varFile string) (runResult, error) {
	one, err := runPlan(ctx, runner, o, varFile)
	if err != nil {
		return one, err
	}
	one.providerPeakRSS, one.providerCPU, one.providers, err = collectProviderUsage(usageDir(o))
	if err != nil {
		return runResult{}, fmt.Errorf("reading the provider's usage: %w", err)
	}
	if one.providers == 0 {
		return runResult{}, errors.New("the plan started no provider through the stand-in: the measurement would be empty")
	}
	return one, nil
}

// runPlan runs one plan and measures its wall and CPU time and the open
// ports it reports.
func runPlan(ctx context.Context, runner tfcli.Runner, o options, varFile string) (runResult, error) {
	cmd, err := runner.Command(ctx, "plan", "-input=false", "-no-color", "-lock=false",
		fmt.Sprintf("-parallelism=%d", o.parallelism), "-var-file="+varFile)
	if err != nil {
		return runResult{}, err
	}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	started := time.Now()
	if err := cmd.Start(); err != nil {
		return runResult{}, err
	}
	err = cmd.Wait()
	wall := time.Since(started)
	if err != nil {
		return runResult{}, planError(cmd, err, stdout.String(), stderr.String())
	}
	one := runResult{started: started, wall: wall, openPorts: "-", totalCPU: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
	if m := openPortsOutput.FindStringSubmatch(stdout.String()); m != nil {
		one.openPorts = m[1]
	}
	return one, nil
}

func planError(cmd *exec.Cmd, err error, stdout, stderr string) error {
	return fmt.Errorf("%s: %w\nstdout (last lines):\n%s\nstderr:\n%s", strings.Join(cmd.Args, " "), err, lastLines(stdout, 40), lastLines(stderr, 40))
}

func firstLine(s string) string {
	return strings.TrimSpace(strings.SplitN(s, "\n", 2)[0])
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func median(values []time.Duration) time.Duration {
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	return sorted[len(sorted)/2]
}

// worst folds the runs into the figures the table shows: the highest count,
// memory and CPU time of any run.
func (r result) worst() runResult {
	var w runResult
	for _, one := range r.runs {
		w.stats.TokenRequests = max(w.stats.TokenRequests, one.stats.TokenRequests)
		w.stats.GraphRequests = max(w.stats.GraphRequests, one.stats.GraphRequests)
		w.stats.PagesServed = max(w.stats.PagesServed, one.stats.PagesServed)
		w.stats.Connections = max(w.stats.Connections, one.stats.Connections)
		w.providerPeakRSS = max(w.providerPeakRSS, one.providerPeakRSS)
		w.providerCPU = max(w.providerCPU, one.providerCPU)
		w.totalCPU = max(w.totalCPU, one.totalCPU)
		w.providers = max(w.providers, one.providers)
	}
	return w
}

func ratio(r result, ideal time.Duration) float64 {
	return float64(r.wall-r.startup) / float64(ideal)
}

func printTable(out io.Writer, markdown bool, results []result, ideal time.Duration, pages int) {
	header := []string{"binary", "wall", "start-up", "ideal", "ratio", "token requests", "Graph requests / pages", "connections", "provider peak RSS", "provider CPU", "total CPU"}
	rows := [][]string{}
	for _, r := range results {
		w := r.worst()
		rows = append(rows, []string{
			r.version,
			spreadOf(r.runs, wallOf).String(),
			seconds(r.startup),
			seconds(ideal),
			fmt.Sprintf("%.2f", ratio(r, ideal)),
			fmt.Sprint(w.stats.TokenRequests),
			fmt.Sprintf("%d / %d", w.stats.GraphRequests, pages),
			fmt.Sprint(w.stats.Connections),
			mebibytes(w.providerPeakRSS),
			seconds(w.providerCPU),
			seconds(w.totalCPU),
		})
	}
	printRows(out, markdown, header, rows)
}

// verdict prints each target and fails the command when one is missed, so
// `make bench` cannot pass quietly on a regression.
func verdict(out io.Writer, results []result, alternatives []alternativeResult, readPaths []readPathResult, fleets []fleetResult, ideal time.Duration, pages int) error {
	var missed []string
	fmt.Fprintln(out)
	for i, r := range results {
		w := r.worst()
		checks := []check{
			{w.stats.TokenRequests == 1, fmt.Sprintf("exactly one token request per run (worst run: %d)", w.stats.TokenRequests)},
			{w.stats.GraphRequests == pages, fmt.Sprintf("Graph requests equal the %d pages that exist (worst run: %d)", pages, w.stats.GraphRequests)},
			{ratio(r, ideal) <= 1.25, fmt.Sprintf("wall time within 1.25x of the ideal plus start-up (%.2fx)", ratio(r, ideal))},
		}
		if i < len(alternatives) {
			checks = append(checks, comparisonChecks(r, alternatives[i])...)
		}
		if i < len(readPaths) {
			checks = append(checks, readPathChecks(readPaths[i])...)
		}
		if i < len(fleets) {
			checks = append(checks, fleetChecks(r, fleets[i])...)
		}
		for _, c := range checks {
			mark := "ok  "
			if !c.ok {
				mark = "MISS"
				missed = append(missed, r.binary+": "+c.what)
			}
			fmt.Fprintf(out, "%s %s: %s\n", mark, r.binary, c.what)
		}
	}
	if len(missed) > 0 {
		return fmt.Errorf("%d target(s) missed", len(missed))
	}
	return nil
}

// check is one target and whether a run met it.
type check struct {
	ok   bool
	what string
}

func seconds(d time.Duration) string {
	return fmt.Sprintf("%.2f s", d.Seconds())
}

func mebibytes(b int64) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20))
}
