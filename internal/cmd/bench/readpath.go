package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
	"github.com/defender-ti/terraform-provider-defender/internal/tfcli"
)

// The provider serves data source reads itself rather than through the
// plugin framework's generic steps after Read. With -reference-provider-dir
// naming a build with the frameworkread tag, which reads through the
// framework as the provider did before, each binary plans the same hosts with
// both builds, alternating run by run so that both see the same machine.

// readPathResult is one binary's plans with both builds.
type readPathResult struct {
	binary, version string
	// fast and reference hold each run's wall and provider CPU time.
	fast, reference []runResult
}

func measureReadPaths(ctx context.Context, o options, runner tfcli.Runner, emulator *fakegraph.Server, version string) (readPathResult, error) {
	r := readPathResult{binary: filepath.Base(runner.Binary), version: version}
	reference, err := filepath.Abs(filepath.Join(o.referenceProviderDir, providerBinaryName))
	if err != nil {
		return r, err
	}
	if _, err := os.Stat(reference); err != nil {
		return r, fmt.Errorf("no reference provider at %s: build it with -tags frameworkread: %w", reference, err)
	}
	referenceRunner := runner
	// The stand-in runs the last provider named in its environment.
	referenceRunner.Env = append(slices.Clone(runner.Env), realProviderVariable+"="+reference)
	for i := 0; i < o.runs; i++ {
		for _, build := range []struct {
			name   string
			runner tfcli.Runner
			runs   *[]runResult
		}{{"framework read path", referenceRunner, &r.reference}, {"provider read path", runner, &r.fast}} {
			fmt.Fprintf(os.Stderr, "==> %s, %s: plan %d of %d (%d hosts)\n", r.binary, build.name, i+1, o.runs, o.hosts)
			emulator.ResetLog()
			one, err := plan(ctx, build.runner, o, "hosts.tfvars.json")
			if err != nil {
				return r, err
			}
			one.stats = emulator.Stats()
			fmt.Fprintf(os.Stderr, "    %s wall, provider CPU %s, open ports %s\n", one.wall.Round(time.Millisecond), one.providerCPU, one.openPorts)
			*build.runs = append(*build.runs, one)
		}
	}
	return r, nil
}

// spread is the median of values with the lowest and highest beside it.
type spread struct{ median, low, high time.Duration }

func spreadOf(runs []runResult, value func(runResult) time.Duration) spread {
	values := make([]time.Duration, len(runs))
	for i, one := range runs {
		values[i] = value(one)
	}
	slices.Sort(values)
	return spread{median: values[len(values)/2], low: values[0], high: values[len(values)-1]}
}

func (s spread) String() string {
	return fmt.Sprintf("%.2f s (%.2f-%.2f)", s.median.Seconds(), s.low.Seconds(), s.high.Seconds())
}

func wallOf(one runResult) time.Duration { return one.wall }
func cpuOf(one runResult) time.Duration  { return one.providerCPU }

func printReadPaths(out io.Writer, markdown bool, results []readPathResult) {
	header := []string{"binary", "wall, framework read path", "wall, provider read path", "speed-up", "provider CPU, framework", "provider CPU, provider", "CPU ratio", "open ports (framework / provider)"}
	var rows [][]string
	for _, r := range results {
		referenceWall, fastWall := spreadOf(r.reference, wallOf), spreadOf(r.fast, wallOf)
		referenceCPU, fastCPU := spreadOf(r.reference, cpuOf), spreadOf(r.fast, cpuOf)
		rows = append(rows, []string{
			r.version, referenceWall.String(), fastWall.String(),
			fmt.Sprintf("%.2fx", referenceWall.median.Seconds()/fastWall.median.Seconds()),
			referenceCPU.String(), fastCPU.String(),
			fmt.Sprintf("%.2f", fastCPU.median.Seconds()/referenceCPU.median.Seconds()),
			r.reference[0].openPorts + " / " + r.fast[0].openPorts,
		})
	}
	printRows(out, markdown, header, rows)
}

// readPathChecks are the read path's targets: the provider's CPU under a
// third of the framework path's for the same ports, the plan at least 1.5
// times as fast, and the same answer from both.
func readPathChecks(r readPathResult) []check {
	referenceWall, fastWall := spreadOf(r.reference, wallOf), spreadOf(r.fast, wallOf)
	referenceCPU, fastCPU := spreadOf(r.reference, cpuOf), spreadOf(r.fast, cpuOf)
	return []check{
		{fastCPU.median*3 < referenceCPU.median, fmt.Sprintf("provider CPU under a third of the framework read path's (%.2f)", fastCPU.median.Seconds()/referenceCPU.median.Seconds())},
		{fastWall.median*3 <= referenceWall.median*2, fmt.Sprintf("plan at least 1.5x as fast as with the framework read path (%.2fx)", referenceWall.median.Seconds()/fastWall.median.Seconds())},
		{sameOpenPorts(r.reference, r.fast), fmt.Sprintf("the same open ports from both builds in every run (%s)", r.reference[0].openPorts)},
	}
}

// sameOpenPorts reports whether every run of both sides reported the same
// open ports, and reported any: a plan whose output went missing proves
// nothing.
func sameOpenPorts(one, other []runResult) bool {
	for _, run := range append(slices.Clone(one), other...) {
		if run.openPorts != one[0].openPorts || run.openPorts == "-" {
			return false
		}
	}
	return true
}
