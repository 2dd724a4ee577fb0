package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
)

// Graph's limit as these tests set it: 20 requests a second with a burst of
// 20, as in the scaling guide's worked example, and a latency that makes
// the requests in flight matter.
const (
	testRate    = 20
	testLatency = 20 * time.Millisecond
	// mostRefused is the most 429s a read may meet: the requests slow start
	// has on their way when Graph's first 429 arrives, about one burst's
	// worth (see the pacer), and a few more as the rate probes upward.
	mostRefused = testRate * 3 / 2
)

// rateLimited configures the emulator to serve data under the tests' limit.
func rateLimited(data *fakegraph.Dataset, style fakegraph.RetryAfterStyle) fakegraph.Config {
	return fakegraph.Config{
		Data:      data,
		Latency:   testLatency,
		RateLimit: &fakegraph.RateLimit{Rate: testRate, Burst: testRate, RetryAfter: style},
	}
}

// everyHostsPorts checks a fleet's hosts: every host of data, each with
// exactly its ports, by id.
func everyHostsPorts(data *fakegraph.Dataset) knownvalue.Check {
	hosts := map[string]knownvalue.Check{}
	for _, hostID := range data.Hosts() {
		var ports []knownvalue.Check
		for _, id := range data.PortIDs(hostID) {
			ports = append(ports, knownvalue.ObjectPartial(map[string]knownvalue.Check{"id": knownvalue.StringExact(id)}))
		}
		hosts[hostID] = knownvalue.ObjectPartial(map[string]knownvalue.Check{"ports": knownvalue.ListExact(ports)})
	}
	return knownvalue.MapExact(hosts)
}

// emulatorCheck checks the emulator once a step's first apply is done, as
// a state check: unlike the legacy Check functions, state checks work for
// configurations with for_each. It checks once and reports that result
// again when the testing framework re-runs state checks after a refresh,
// which reads every data source again.
type emulatorCheck struct {
	once  sync.Once
	check func() error
	err   error
}

func checkEmulator(check func() error) *emulatorCheck { return &emulatorCheck{check: check} }

func (c *emulatorCheck) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	c.once.Do(func() { c.err = c.check() })
	resp.Error = c.err
}

// fewRefused fails when the rate limit refused more than mostRefused of the
// Graph requests so far, or none: a read that never met the limit proves
// nothing about flow control.
func fewRefused(env *emulatorEnv) *emulatorCheck {
	return checkEmulator(func() error {
		refused, sent := env.emulator.RateLimited(), len(env.graphRequests("/hosts/"))
		if refused == 0 {
			return fmt.Errorf("the rate limit refused none of %d requests: the read never met it", sent)
		}
		if refused > mostRefused {
			return fmt.Errorf("the rate limit refused %d of %d requests, want at most %d", refused, sent, mostRefused)
		}
		return nil
	})
}

// A fleet three times the limit's burst is read whole at the limit, whatever
// form Graph's 429s take: Retry-After in seconds, as an HTTP date, or none.
// Before flow control, every 429 spent a retry of its host's and all the
// requests held back restarted at once, so reads like these failed.
func TestFleetUnderARateLimit(t *testing.T) {
	for _, tc := range []struct {
		name  string
		style fakegraph.RetryAfterStyle
	}{
		{"Retry-After in seconds", fakegraph.RetryAfterSeconds},
		{"Retry-After as a date", fakegraph.RetryAfterDate},
		{"no Retry-After", fakegraph.RetryAfterNone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Each waits on its own emulator's limit most of the time.
			t.Parallel()
			data := fakegraph.Generate(60, 2, 16)
			env := newEmulatorEnv(t, rateLimited(data, tc.style))
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: env.factories(),
				Steps: []resource.TestStep{{
					// max_retries = 0: a 429 must spend no retry.
					Config: env.providerBlock("max_retries = 0") + `
data "defender_ti_hosts_ports" "fleet" {
  host_ids = ` + hclStrings(data.Hosts()) + `
}`,
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(fleet, tfjsonpath.New("hosts"), everyHostsPorts(data)),
						statecheck.ExpectKnownValue(fleet, tfjsonpath.New("not_found_host_ids"), knownvalue.ListExact([]knownvalue.Check{})),
						fewRefused(env),
					},
				}},
			})
		})
	}
}

// Graph throttling every request without end fails the read once
// throttle_timeout has passed, with the throttling error and its remedy,
// and not before: a 429 spends no retry.
func TestEndlessThrottlingFailsAfterTheThrottleTimeout(t *testing.T) {
	data := fakegraph.Generate(6, 1, 19)
	env := newEmulatorEnv(t, fakegraph.Config{Data: data})
	env.emulator.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Kind: fakegraph.KindThrottle, RetryAfter: "0.2", Times: -1})
	started := time.Now()
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock("max_retries = 1", `throttle_timeout = "3s"`) + `
data "defender_ti_hosts_ports" "fleet" {
  host_ids = ` + hclStrings(data.Hosts()) + `
}`,
			ExpectError: wrappedRegexp(`(?s)Throttled By Microsoft Graph.*the ports of 6 of 6 hosts: .*` +
				`not sent: Graph has answered every request of this client with 429 for 3s, longer than the 3s throttling timeout; ` +
				`Graph answered HTTP 429 Too Many Requests.*` + requestID + `.*Retry-After: 0\.2.*` +
				`The hosts not read: "[^"]+", "[^"]+", "[^"]+", "[^"]+", "[^"]+", "[^"]+"\. .*` +
				regexp.QuoteMeta("raise the provider's throttle_timeout")),
		}},
	})
	// The plan's own start-up takes a second or two; the read waited the
	// three seconds and then stopped.
	if took := time.Since(started); took < 3*time.Second || took > 15*time.Second {
		t.Errorf("the plan ended after %s, want just over the 3 s throttle_timeout", took)
	}
	throttled := 0
	for _, r := range env.graphRequests("/hosts/") {
		if r.Status == http.StatusTooManyRequests {
			throttled++
		}
	}
	if throttled <= 2*6 {
		t.Errorf("Graph answered %d requests with 429; with max_retries = 1 a read that spent retries on them would stop at 12", throttled)
	}
}

// Two plans at once, two processes as on a shared engine, against one
// application's limit: both read their whole fleet, and the limit refuses
// few of their requests although each learns it on its own.
func TestCLITwoPlansShareALimit(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	data := fakegraph.Generate(120, 1, 18)
	run := newCLIRunWith(t, ctx, rateLimited(data, fakegraph.RetryAfterSeconds), `
variable "hosts" {
  type = list(string)
}

data "defender_ti_hosts_ports" "fleet" {
  host_ids = var.hosts
}

output "hosts_with_one_port" {
  value = length([for host in data.defender_ti_hosts_ports.fleet.hosts : host if length(host.ports) == 1])
}
`)
	halves := [][]string{data.Hosts()[:60], data.Hosts()[60:]}
	results := make([]error, len(halves))
	outputs := make([]string, len(halves))
	done := make(chan int, len(halves))
	for i, hosts := range halves {
		file := fmt.Sprintf("half%d.tfvars.json", i+1)
		variables, err := json.Marshal(map[string][]string{"hosts": hosts})
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(run.runner.Dir, file), variables, 0o600); err != nil {
			t.Fatal(err)
		}
		go func() {
			// -lock=false: the two plans share a working directory, and a
			// plan writes no state.
			result, err := run.runner.Run(ctx, "plan", "-input=false", "-no-color", "-lock=false", "-var-file="+file)
			results[i], outputs[i] = err, result.Stdout
			done <- i
		}()
	}
	for range halves {
		<-done
	}
	for i := range halves {
		if results[i] != nil {
			t.Errorf("plan %d failed: %v", i+1, results[i])
			continue
		}
		if !strings.Contains(outputs[i], "hosts_with_one_port = 60") {
			t.Errorf("plan %d did not read its 60 hosts' ports:\n%s", i+1, outputs[i])
		}
	}
	refused, sent := run.emulator.RateLimited(), len(run.emulator.Requests())
	t.Logf("the limit refused %d of %d requests", refused, sent)
	if refused == 0 || refused > 2*mostRefused {
		t.Errorf("the limit refused %d requests of the two plans, want some (the plans met it) and at most %d", refused, 2*mostRefused)
	}
}

// forEachConfiguration reads var.hosts with a for_each of the per-host data
// source, and says whether each host's ports are exactly var.port_ids.
const forEachConfiguration = `
variable "port_ids" {
  type = map(list(string))
}

data "defender_ti_host_ports" "host" {
  for_each = var.port_ids
  host_id  = each.key
}

output "hosts_read_exactly" {
  value = length([for host, read in data.defender_ti_host_ports.host : host if read.ports[*].id == var.port_ids[host]])
}
`

// planForEach plans forEachConfiguration over every host of data, and fails
// unless the plan read each host's ports exactly.
func planForEach(t *testing.T, ctx context.Context, run *cliRun, data *fakegraph.Dataset) {
	t.Helper()
	portIDs := map[string][]string{}
	for _, hostID := range data.Hosts() {
		portIDs[hostID] = data.PortIDs(hostID)
	}
	variables, err := json.Marshal(map[string]any{"port_ids": portIDs})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(run.runner.Dir, "hosts.tfvars.json"), variables, 0o600); err != nil {
		t.Fatal(err)
	}
	result, err := run.runner.Run(ctx, "plan", "-input=false", "-no-color", "-var-file=hosts.tfvars.json")
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("hosts_read_exactly = %d", len(portIDs)); !strings.Contains(result.Stdout, want) {
		t.Errorf("the plan lacks %q:\n%s", want, result.Stdout)
	}
}

// A for_each of the per-host data source shares its provider's client, and
// so its flow control: read whole at the limit, few requests refused. (The
// testing framework's state shim cannot index for_each instances by
// string, so this runs the CLI.)
func TestCLIForEachUnderARateLimit(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	data := fakegraph.Generate(60, 1, 17)
	run := newCLIRunWith(t, ctx, rateLimited(data, fakegraph.RetryAfterSeconds), forEachConfiguration, "TF_CLI_ARGS_plan=-parallelism=20")
	planForEach(t, ctx, run, data)
	if refused := run.emulator.RateLimited(); refused == 0 || refused > mostRefused {
		t.Errorf("the limit refused %d requests, want some (the plan met it) and at most %d", refused, mostRefused)
	}
}

// Without throttling, a for_each is not held back: the window of requests
// in flight, which starts small, reaches Terraform's parallelism.
func TestCLIForEachIsNotHeldBack(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	data := fakegraph.Generate(60, 1, 20)
	run := newCLIRunWith(t, ctx, fakegraph.Config{Data: data, Latency: 200 * time.Millisecond}, forEachConfiguration)
	planForEach(t, ctx, run, data)
	if got := run.emulator.Stats().MaxInFlight; got != 10 {
		t.Errorf("at most %d requests were in flight, want Terraform's default parallelism of 10", got)
	}
}
