package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
	"github.com/defender-ti/terraform-provider-defender/internal/tfcli"
)

// With -exposure, the emulator holds hosts with ports, a reputation, TLS
// certificates, components and, for host names, a WHOIS record, and the
// same five kinds of every host are read two ways, run after run in turn: a
// for_each of the five per-host data sources, and one defender_ti_hosts
// whose include names the five. Both configurations reduce what they read
// to the same one-line answer (counts, and a digest of every host's values),
// which must be the same in every plan and match what the emulator holds.

const (
	exposureCertificatesPerHost = 2
	exposureComponentsPerHost   = 3
)

// exposureKinds are the kinds both configurations read, by their names in
// defender_ti_hosts' include.
var exposureKinds = []string{"ports", "reputation", "ssl_certificates", "components", "whois"}

// exposureAnswer reduces every host's values to what both configurations
// compute alike: one object per host, keyed by host id, then counts over
// them and a digest of them all.
const exposureAnswer = `
output "exposure" {
  value = format(
    "open_ports=%d certificates=%d components=%d suspicious=%d malicious=%d whois=%d digest=%s",
    length(flatten([for h in values(local.hosts) : h.open_ports])),
    length(flatten([for h in values(local.hosts) : h.certificates])),
    length(flatten([for h in values(local.hosts) : h.components])),
    length([for h in values(local.hosts) : h if h.classification == "suspicious"]),
    length([for h in values(local.hosts) : h if h.classification == "malicious"]),
    length([for h in values(local.hosts) : h if h.whois != null]),
    substr(sha256(jsonencode(local.hosts)), 0, 16),
  )
}
`

// exposureForEachConfiguration reads each kind with its own data source,
// one instance per host.
const exposureForEachConfiguration = configurationPrologue + `
data "defender_ti_host_ports" "host" {
  for_each = var.hosts
  host_id  = each.value
  select   = var.select
}

data "defender_ti_host_reputation" "host" {
  for_each = var.hosts
  host_id  = each.value
}

data "defender_ti_host_ssl_certificates" "host" {
  for_each = var.hosts
  host_id  = each.value
}

data "defender_ti_host_components" "host" {
  for_each = var.hosts
  host_id  = each.value
}

# An IP address has no WHOIS record: its instance is null and warns.
data "defender_ti_host_whois" "host" {
  for_each = var.hosts
  host_id  = each.value
}

locals {
  hosts = { for id in var.hosts : id => {
    open_ports     = data.defender_ti_host_ports.host[id].open_ports
    certificates   = data.defender_ti_host_ssl_certificates.host[id].ssl_certificates[*].id
    components     = data.defender_ti_host_components.host[id].components[*].id
    classification = data.defender_ti_host_reputation.host[id].classification
    score          = data.defender_ti_host_reputation.host[id].score
    whois          = data.defender_ti_host_whois.host[id].id
  } }
}
` + exposureAnswer

// exposureFleetConfiguration reads the same five kinds of every host in one
// data source.
const exposureFleetConfiguration = configurationPrologue + `
data "defender_ti_hosts" "fleet" {
  host_ids = var.hosts
  include  = ["ports", "reputation", "ssl_certificates", "components", "whois"]
  select   = var.select
}

locals {
  hosts = { for id, h in data.defender_ti_hosts.fleet.hosts : id => {
    open_ports     = h.open_ports
    certificates   = h.ssl_certificates[*].id
    components     = h.components[*].id
    classification = try(h.reputation.classification, null)
    score          = try(h.reputation.score, null)
    whois          = try(h.whois.id, null)
  } }
}
` + exposureAnswer

// exposureSummary is the answer a plan printed.
type exposureSummary struct {
	openPorts, certificates, components int
	suspicious, malicious, whois        int
	digest                              string
}

func (s exposureSummary) String() string {
	text := fmt.Sprintf("%d open ports, %d certificates, %d components, %d suspicious and %d malicious hosts, %d WHOIS records",
		s.openPorts, s.certificates, s.components, s.suspicious, s.malicious, s.whois)
	if s.digest != "" {
		text += ", digest " + s.digest
	}
	return text
}

// counts is the answer without its digest: what the emulator's data says
// the answer must be.
func (s exposureSummary) counts() exposureSummary {
	s.digest = ""
	return s
}

var exposureOutput = regexp.MustCompile(`exposure\s*=\s*"([^"]*)"`)

// parseExposureSummary finds the exposure output in a plan's output.
func parseExposureSummary(planOutput string) (exposureSummary, error) {
	m := exposureOutput.FindStringSubmatch(planOutput)
	if m == nil {
		return exposureSummary{}, errors.New("the plan printed no exposure output")
	}
	fields := map[string]string{}
	for field := range strings.FieldsSeq(m[1]) {
		name, value, ok := strings.Cut(field, "=")
		if !ok {
			return exposureSummary{}, fmt.Errorf("exposure output %q: %q is not name=value", m[1], field)
		}
		fields[name] = value
	}
	var s exposureSummary
	for name, target := range map[string]*int{
		"open_ports": &s.openPorts, "certificates": &s.certificates, "components": &s.components,
		"suspicious": &s.suspicious, "malicious": &s.malicious, "whois": &s.whois,
	} {
		n, err := strconv.Atoi(fields[name])
		if err != nil {
			return exposureSummary{}, fmt.Errorf("exposure output %q: %s: %w", m[1], name, err)
		}
		*target = n
	}
	if s.digest = fields["digest"]; s.digest == "" {
		return exposureSummary{}, fmt.Errorf("exposure output %q has no digest", m[1])
	}
	return s, nil
}

// expectedExposure is the answer the emulator's data gives, but for the
// digest: a host's open ports are the distinct numbers of its ports whose
// status is open.
func expectedExposure(data *fakegraph.Dataset) (exposureSummary, error) {
	var s exposureSummary
	for _, host := range data.Hosts() {
		if raw, ok := data.CollectionJSON(host, fakegraph.CollectionPorts); ok {
			var ports []struct {
				Port   int    `json:"port"`
				Status string `json:"status"`
			}
			if err := json.Unmarshal(raw, &ports); err != nil {
				return s, fmt.Errorf("the ports of %s: %w", host, err)
			}
			open := map[int]bool{}
			for _, p := range ports {
				if p.Status == "open" {
					open[p.Port] = true
				}
			}
			s.openPorts += len(open)
		}
		s.certificates += len(data.CollectionIDs(host, fakegraph.CollectionSslCertificates))
		s.components += len(data.CollectionIDs(host, fakegraph.CollectionComponents))
		if raw, ok := data.CollectionJSON(host, fakegraph.CollectionReputation); ok {
			var reputation struct {
				Classification string `json:"classification"`
			}
			if err := json.Unmarshal(raw, &reputation); err != nil {
				return s, fmt.Errorf("the reputation of %s: %w", host, err)
			}
			switch reputation.Classification {
			case "suspicious":
				s.suspicious++
			case "malicious":
				s.malicious++
			}
		}
		if _, ok := data.CollectionJSON(host, fakegraph.CollectionWhois); ok {
			s.whois++
		}
	}
	return s, nil
}

// exposureRun is one plan of one configuration and the answer it printed.
type exposureRun struct {
	run     runResult
	summary exposureSummary
}

// exposureResult is one binary's plans of both configurations.
type exposureResult struct {
	binary, version string
	startup         time.Duration
	forEach, fleet  []exposureRun
	// loadBefore and loadAfter are the machine's load average around the
	// binary's plans: other work on the machine slows both reads.
	loadBefore, loadAfter string
}

// loadAverage is the machine's 1-minute load average, or "n/a".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if fields := strings.Fields(string(b)); err == nil && len(fields) > 0 {
		return fields[0]
	}
	return "n/a"
}

func runExposure(ctx context.Context, o options, out io.Writer) error {
	fmt.Fprintf(os.Stderr, "==> Generating %d hosts of %d ports, %d certificates, %d components, a reputation and, for host names, a WHOIS record (seed %d).\n",
		o.hosts, o.ports, exposureCertificatesPerHost, exposureComponentsPerHost, o.seed)
	data := fakegraph.GenerateHosts(fakegraph.GenerateOptions{
		Hosts: o.hosts, PortsPerHost: o.ports, Seed: o.seed,
		SslCertificatesPerHost: exposureCertificatesPerHost, ComponentsPerHost: exposureComponentsPerHost,
	})
	expected, err := expectedExposure(data)
	if err != nil {
		return err
	}
	emulator, err := fakegraph.Start(fakegraph.Config{PageSize: o.pageSize, Latency: o.latency, Data: data})
	if err != nil {
		return fmt.Errorf("starting the emulator: %w", err)
	}
	defer emulator.Close()

	exposureOptions := o
	exposureOptions.work = filepath.Join(o.work, "exposure")
	forEach, fleet, err := prepareExposure(exposureOptions, emulator, data.Hosts())
	if err != nil {
		return err
	}
	var results []exposureResult
	for _, binary := range o.binaries {
		forEach.Binary, fleet.Binary = binary, binary
		r, err := measureExposure(ctx, exposureOptions, forEach, fleet, emulator)
		if err != nil {
			return err
		}
		results = append(results, r)
	}

	fmt.Fprintln(out)
	fmt.Fprintf(out, "%d hosts, each with %d ports, a reputation, %d certificates, %d components and, for the %d host names, a WHOIS record; page size %d, %s latency per Graph request, -parallelism=%d, select of the ports: %s. "+
		"The same %d kinds of every host read by a for_each of %s and by one defender_ti_hosts including them, in turn, %d plan(s) each. "+
		"Wall is the median with the lowest and highest, start-up the median of %d plan(s) with no hosts; the speed-up compares the medians after start-up; "+
		"Graph requests and peak RSS are the worst plan's, CPU the median with the lowest and highest.\n\n",
		o.hosts, o.ports, exposureCertificatesPerHost, exposureComponentsPerHost, expected.whois, o.pageSize, o.latency, o.parallelism, selectDescription(o.selectAttributes),
		len(exposureKinds), perHostDataSources(), o.runs, o.startupRuns)
	printExposure(out, o.markdown, results)
	fmt.Fprintln(out)
	fmt.Fprintln(out, "Where the wall time of each read's median plan went, from the emulator's log: reading runs from the first Graph request to the last answer.")
	fmt.Fprintln(out)
	printExposurePhases(out, o.markdown, results)
	fmt.Fprintln(out)
	fmt.Fprintf(out, "What the emulator holds: %s.\n", expected.counts())
	for _, r := range results {
		fmt.Fprintf(out, "The machine's 1-minute load average (%d CPUs) was %s before %s's plans and %s after.\n", runtime.NumCPU(), r.loadBefore, r.binary, r.loadAfter)
	}
	if err := exposureVerdict(out, results, expected); err != nil && o.strict {
		return err
	}
	return nil
}

// perHostDataSources names the data sources of the for_each configuration.
func perHostDataSources() string {
	names := make([]string, len(exposureKinds))
	for i, kind := range exposureKinds {
		names[i] = "defender_ti_host_" + kind
	}
	return strings.Join(names, ", ")
}

// prepareExposure writes both configurations, the fleet's in a folder of
// its own sharing the variables, CLI configuration and provider stand-in.
func prepareExposure(o options, emulator *fakegraph.Server, hosts []string) (forEach, fleet tfcli.Runner, err error) {
	if forEach, err = prepareWorkDir(o, emulator, hosts); err != nil {
		return forEach, fleet, err
	}
	if err = os.WriteFile(filepath.Join(o.work, "main.tf"), []byte(exposureForEachConfiguration), 0o600); err != nil {
		return forEach, fleet, err
	}
	fleet = forEach
	fleet.Dir = filepath.Join(o.work, "fleet")
	if err = os.MkdirAll(fleet.Dir, 0o755); err != nil {
		return forEach, fleet, err
	}
	variables, err := os.ReadFile(filepath.Join(o.work, "hosts.tfvars.json"))
	if err != nil {
		return forEach, fleet, err
	}
	for name, content := range map[string][]byte{"main.tf": []byte(exposureFleetConfiguration), "hosts.tfvars.json": variables} {
		if err = os.WriteFile(filepath.Join(fleet.Dir, name), content, 0o600); err != nil {
			return forEach, fleet, err
		}
	}
	return forEach, fleet, nil
}

func measureExposure(ctx context.Context, o options, forEach, fleet tfcli.Runner, emulator *fakegraph.Server) (exposureResult, error) {
	r := exposureResult{binary: filepath.Base(forEach.Binary), loadBefore: loadAverage()}
	version, err := forEach.Run(ctx, "version")
	if err != nil {
		return r, err
	}
	r.version = firstLine(version.Stdout)
	if r.startup, err = measureStartup(ctx, o, forEach, r.binary); err != nil {
		return r, err
	}
	for i := 0; i < o.runs; i++ {
		for _, read := range []struct {
			name   string
			runner tfcli.Runner
			runs   *[]exposureRun
		}{{"for_each of " + perHostDataSources(), forEach, &r.forEach}, {"defender_ti_hosts", fleet, &r.fleet}} {
			fmt.Fprintf(os.Stderr, "==> %s, %s: plan %d of %d (%d hosts)\n", r.binary, read.name, i+1, o.runs, o.hosts)
			emulator.ResetLog()
			one, err := exposurePlan(ctx, read.runner, o)
			if err != nil {
				return r, err
			}
			one.run.stats = emulator.Stats()
			one.run.phases, one.run.hasPhases = planPhases(one.run.started, one.run.wall, emulator.Requests(), o.latency)
			fmt.Fprintf(os.Stderr, "    %s wall (%s before the first Graph request, %s reading, %s after the last answer), %d Graph request(s), provider peak RSS %s, provider CPU %s, total CPU %s: %s\n",
				one.run.wall.Round(time.Millisecond), one.run.phases.beforeFirstRequest.Round(time.Millisecond), one.run.phases.reading.Round(time.Millisecond),
				one.run.phases.afterLastResponse.Round(time.Millisecond), one.run.stats.GraphRequests, mebibytes(one.run.providerPeakRSS),
				one.run.providerCPU.Round(time.Millisecond), one.run.totalCPU.Round(time.Millisecond), one.summary)
			*read.runs = append(*read.runs, one)
		}
	}
	r.loadAfter = loadAverage()
	return r, nil
}

// exposurePlan plans every host and reads the answer the plan printed and
// the usage of the provider processes it started.
func exposurePlan(ctx context.Context, runner tfcli.Runner, o options) (exposureRun, error) {
	cmd, err := runner.Command(ctx, "plan", "-input=false", "-no-color", "-lock=false",
		fmt.Sprintf("-parallelism=%d", o.parallelism), "-var-file=hosts.tfvars.json")
	if err != nil {
		return exposureRun{}, err
	}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	started := time.Now()
	if err := cmd.Start(); err != nil {
		return exposureRun{}, err
	}
	err = cmd.Wait()
	one := exposureRun{run: runResult{started: started, wall: time.Since(started), openPorts: "-"}}
	if err != nil {
		return exposureRun{}, planError(cmd, err, stdout.String(), stderr.String())
	}
	one.run.totalCPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if one.summary, err = parseExposureSummary(stdout.String()); err != nil {
		return exposureRun{}, fmt.Errorf("%w\nstdout (last lines):\n%s", err, lastLines(stdout.String(), 40))
	}
	one.run.openPorts = strconv.Itoa(one.summary.openPorts)
	one.run.providerPeakRSS, one.run.providerCPU, one.run.providers, err = collectProviderUsage(usageDir(o))
	if err != nil {
		return exposureRun{}, fmt.Errorf("reading the provider's usage: %w", err)
	}
	if one.run.providers == 0 {
		return exposureRun{}, errors.New("the plan started no provider through the stand-in: the measurement would be empty")
	}
	return one, nil
}

func runsOfExposure(runs []exposureRun) []runResult {
	out := make([]runResult, len(runs))
	for i, one := range runs {
		out[i] = one.run
	}
	return out
}

// exposureSpeedUp compares the medians after start-up, which both
// configurations pay alike.
func exposureSpeedUp(r exposureResult) float64 {
	forEach := spreadOf(runsOfExposure(r.forEach), wallOf).median
	fleet := spreadOf(runsOfExposure(r.fleet), wallOf).median
	return float64(forEach-r.startup) / float64(max(fleet-r.startup, time.Millisecond))
}

func printExposure(out io.Writer, markdown bool, results []exposureResult) {
	header := []string{"binary", "start-up", "for_each of 5 per-host data sources", "one defender_ti_hosts", "speed-up after start-up",
		"Graph requests (for_each / fleet)", "provider peak RSS (for_each / fleet)", "provider CPU, for_each", "provider CPU, fleet"}
	var rows [][]string
	for _, r := range results {
		forEach, fleet := runsOfExposure(r.forEach), runsOfExposure(r.fleet)
		graphRequests := func(one runResult) int { return one.stats.GraphRequests }
		peakRSS := func(runs []runResult) int64 {
			var peak int64
			for _, one := range runs {
				peak = max(peak, one.providerPeakRSS)
			}
			return peak
		}
		rows = append(rows, []string{
			r.version, seconds(r.startup), spreadOf(forEach, wallOf).String(), spreadOf(fleet, wallOf).String(),
			fmt.Sprintf("%.2fx", exposureSpeedUp(r)),
			fmt.Sprintf("%d / %d", worstOf(forEach, graphRequests), worstOf(fleet, graphRequests)),
			fmt.Sprintf("%s / %s", mebibytes(peakRSS(forEach)), mebibytes(peakRSS(fleet))),
			spreadOf(forEach, cpuOf).String(), spreadOf(fleet, cpuOf).String(),
		})
	}
	printRows(out, markdown, header, rows)
}

func printExposurePhases(out io.Writer, markdown bool, results []exposureResult) {
	header := []string{"binary", "read", "wall", "before the first Graph request", "reading", "after the last answer"}
	var rows [][]string
	for _, r := range results {
		for _, read := range []struct {
			name string
			runs []exposureRun
		}{{"for_each", r.forEach}, {"defender_ti_hosts", r.fleet}} {
			median := result{runs: runsOfExposure(read.runs)}.medianRun()
			if !median.hasPhases {
				continue
			}
			p := median.phases
			rows = append(rows, []string{r.version, read.name, seconds(median.wall), seconds(p.beforeFirstRequest), seconds(p.reading), seconds(p.afterLastResponse)})
		}
	}
	printRows(out, markdown, header, rows)
}

// sameExposure reports whether every plan of both configurations printed
// the same answer, the one the emulator's data gives.
func sameExposure(forEach, fleet []exposureRun, expected exposureSummary) bool {
	if len(forEach) == 0 || len(fleet) == 0 {
		return false
	}
	first := forEach[0].summary
	for _, one := range append(slices.Clone(forEach), fleet...) {
		if one.summary != first {
			return false
		}
	}
	return first.counts() == expected.counts()
}

// exposureChecks are the fleet read's targets: at least 4 times as fast as
// the for_each after start-up, no more Graph requests, and the same answer
// in every plan.
func exposureChecks(r exposureResult, expected exposureSummary) []check {
	graphRequests := func(one runResult) int { return one.stats.GraphRequests }
	forEachRequests, fleetRequests := worstOf(runsOfExposure(r.forEach), graphRequests), worstOf(runsOfExposure(r.fleet), graphRequests)
	answer := "no plan"
	if len(r.forEach) > 0 {
		answer = r.forEach[0].summary.String()
	}
	return []check{
		{exposureSpeedUp(r) >= 4, fmt.Sprintf("one defender_ti_hosts at least 4x as fast as the for_each of the 5 per-host data sources after start-up (%.2fx)", exposureSpeedUp(r))},
		{fleetRequests <= forEachRequests, fmt.Sprintf("defender_ti_hosts makes no more Graph requests than the for_each (%d against %d)", fleetRequests, forEachRequests)},
		{sameExposure(r.forEach, r.fleet, expected), fmt.Sprintf("the same answer from both in every plan, the emulator's (%s)", answer)},
	}
}

func exposureVerdict(out io.Writer, results []exposureResult, expected exposureSummary) error {
	var missed int
	fmt.Fprintln(out)
	for _, r := range results {
		for _, c := range exposureChecks(r, expected) {
			mark := "ok  "
			if !c.ok {
				mark = "MISS"
				missed++
			}
			fmt.Fprintf(out, "%s %s: %s\n", mark, r.binary, c.what)
		}
	}
	if missed > 0 {
		return fmt.Errorf("%d target(s) missed", missed)
	}
	return nil
}
