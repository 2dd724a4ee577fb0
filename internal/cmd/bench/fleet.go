package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
	"github.com/defender-ti/terraform-provider-defender/internal/tfcli"
)

// With -fleet, the same hosts are also read through defender_ti_hosts_ports:
// one data source for every host, which the provider reads with up to
// max_concurrent_requests requests in flight, where the for_each plan reads
// -parallelism instances at a time.

// fleetConfiguration reads the hosts of hosts.tfvars.json in one read and
// reports the same output as the for_each configuration.
const fleetConfiguration = configurationPrologue + `
data "defender_ti_hosts_ports" "fleet" {
  host_ids = var.hosts
  select   = var.select
}

output "open_ports" {
  value = length(flatten([for host in data.defender_ti_hosts_ports.fleet.hosts : host.open_ports]))
}
`

// prepareFleet writes the fleet configuration beside the for_each one; it
// shares its variables, CLI configuration and provider stand-in.
func prepareFleet(o options, runner tfcli.Runner) (tfcli.Runner, error) {
	dir := filepath.Join(o.work, "fleet")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return tfcli.Runner{}, err
	}
	variables, err := os.ReadFile(filepath.Join(o.work, "hosts.tfvars.json"))
	if err != nil {
		return tfcli.Runner{}, err
	}
	for name, content := range map[string][]byte{"main.tf": []byte(fleetConfiguration), "hosts.tfvars.json": variables} {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o600); err != nil {
			return tfcli.Runner{}, err
		}
	}
	runner.Dir = dir
	return runner, nil
}

// fleetResult is one binary's fleet plans.
type fleetResult struct {
	wall time.Duration // median over runs
	runs []runResult
}

func measureFleet(ctx context.Context, o options, runner tfcli.Runner, emulator *fakegraph.Server) (fleetResult, error) {
	var f fleetResult
	var err error
	f.runs, f.wall, err = measuredPlans(o, filepath.Base(runner.Binary)+" defender_ti_hosts_ports", emulator, func() (runResult, error) {
		return plan(ctx, runner, o, "hosts.tfvars.json")
	})
	return f, err
}

func printFleet(out io.Writer, markdown bool, results []result, fleets []fleetResult) {
	header := []string{"binary", "start-up", "for_each of defender_ti_host_ports", "defender_ti_hosts_ports", "reading speed-up", "fleet: before the first request / reading / after the last answer", "Graph requests (for_each / fleet)", "most in flight (fleet)", "open ports (for_each / fleet)", "provider CPU (for_each / fleet)"}
	var rows [][]string
	for i, r := range results {
		f := fleets[i]
		rows = append(rows, []string{
			r.version, seconds(r.startup), spreadOf(r.runs, wallOf).String(), spreadOf(f.runs, wallOf).String(),
			fmt.Sprintf("%.2fx", fleetSpeedUp(r, f)),
			fleetPhases(f),
			fmt.Sprintf("%d / %d", r.worst().stats.GraphRequests, worstOf(f.runs, func(one runResult) int { return one.stats.GraphRequests })),
			fmt.Sprint(worstOf(f.runs, func(one runResult) int { return one.stats.MaxInFlight })),
			fmt.Sprintf("%s / %s", r.medianRun().openPorts, f.runs[0].openPorts),
			fmt.Sprintf("%s / %s", seconds(r.worst().providerCPU), seconds(spreadOf(f.runs, cpuOf).high)),
		})
	}
	printRows(out, markdown, header, rows)
}

// fleetPhases splits the median fleet plan around its Graph requests.
func fleetPhases(f fleetResult) string {
	median := result{runs: f.runs}.medianRun()
	if !median.hasPhases {
		return "n/a"
	}
	p := median.phases
	return fmt.Sprintf("%s / %s / %s", seconds(p.beforeFirstRequest), seconds(p.reading), seconds(p.afterLastResponse))
}

// fleetSpeedUp compares the time after start-up: what reading the hosts
// costs each way, Terraform's start-up being the same for both.
func fleetSpeedUp(r result, f fleetResult) float64 {
	return float64(r.wall-r.startup) / float64(max(f.wall-r.startup, time.Millisecond))
}

func worstOf(runs []runResult, value func(runResult) int) int {
	worst := 0
	for _, one := range runs {
		worst = max(worst, value(one))
	}
	return worst
}

// fleetChecks are the fleet read's targets: at least 4 times as fast as the
// for_each plan after start-up, the same requests and the same answer.
func fleetChecks(r result, f fleetResult) []check {
	fleetRequests := worstOf(f.runs, func(one runResult) int { return one.stats.GraphRequests })
	return []check{
		{fleetSpeedUp(r, f) >= 4, fmt.Sprintf("the fleet read at least 4x as fast as the for_each plan after start-up (%.2fx)", fleetSpeedUp(r, f))},
		{fleetRequests == r.worst().stats.GraphRequests, fmt.Sprintf("the fleet read makes the same Graph requests as the for_each plan (%d against %d)", fleetRequests, r.worst().stats.GraphRequests)},
		{sameOpenPorts(r.runs, f.runs), fmt.Sprintf("the same open ports from the fleet read and the for_each plan in every run (%s)", r.runs[0].openPorts)},
	}
}
