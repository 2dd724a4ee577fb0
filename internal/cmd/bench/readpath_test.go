package main

import (
	"testing"
	"time"
)

func runsOf(openPorts string, walls, cpus []time.Duration) []runResult {
	var runs []runResult
	for i := range walls {
		runs = append(runs, runResult{wall: walls[i], providerCPU: cpus[i], openPorts: openPorts})
	}
	return runs
}

func TestReadPathChecks(t *testing.T) {
	s := time.Second
	reference := runsOf("1250", []time.Duration{4 * s, 5 * s, 6 * s}, []time.Duration{4 * s, 4 * s, 5 * s})
	for _, tc := range []struct {
		name string
		fast []runResult
		want []bool // CPU, wall, same answer
	}{
		{"every target met", runsOf("1250", []time.Duration{2 * s, 3 * s, 3 * s}, []time.Duration{1 * s, 1 * s, 2 * s}), []bool{true, true, true}},
		{"CPU above a third", runsOf("1250", []time.Duration{2 * s, 3 * s, 3 * s}, []time.Duration{s * 3 / 2, s * 3 / 2, 2 * s}), []bool{false, true, true}},
		{"slower than 1.5x", runsOf("1250", []time.Duration{4 * s, 4 * s, 5 * s}, []time.Duration{1 * s, 1 * s, 1 * s}), []bool{true, false, true}},
		{"a different answer", runsOf("1249", []time.Duration{2 * s, 3 * s, 3 * s}, []time.Duration{1 * s, 1 * s, 1 * s}), []bool{true, true, false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checks := readPathChecks(readPathResult{binary: "tofu", reference: reference, fast: tc.fast})
			if len(checks) != len(tc.want) {
				t.Fatalf("got %d checks, want %d", len(checks), len(tc.want))
			}
			for i, c := range checks {
				if c.ok != tc.want[i] {
					t.Errorf("check %q: ok = %v, want %v", c.what, c.ok, tc.want[i])
				}
			}
		})
	}
}

func TestSpreadOf(t *testing.T) {
	runs := runsOf("1", []time.Duration{3 * time.Second, time.Second, 2 * time.Second}, []time.Duration{0, 0, 0})
	got := spreadOf(runs, wallOf)
	if got.median != 2*time.Second || got.low != time.Second || got.high != 3*time.Second {
		t.Errorf("spreadOf = %+v, want median 2s, low 1s, high 3s", got)
	}
	if got.String() != "2.00 s (1.00-3.00)" {
		t.Errorf("String() = %q", got.String())
	}
}
