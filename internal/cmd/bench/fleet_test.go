package main

import (
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
)

func TestFleetConfigurationReadsEveryHostInOneDataSource(t *testing.T) {
	file, diags := hclsyntax.ParseConfig([]byte(fleetConfiguration), "main.tf", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	body, ok := file.Body.(*hclsyntax.Body)
	if !ok {
		t.Fatalf("the configuration parsed as %T", file.Body)
	}
	var fleets int
	for _, block := range body.Blocks {
		if block.Type == "data" && block.Labels[0] == "defender_ti_hosts_ports" {
			fleets++
			if _, ok := block.Body.Attributes["host_ids"]; !ok {
				t.Error("the fleet data source has no host_ids")
			}
		}
		if block.Type == "data" && block.Labels[0] == "defender_ti_host_ports" {
			t.Error("the fleet configuration reads hosts one data source each")
		}
	}
	if fleets != 1 {
		t.Errorf("%d fleet data sources, want 1", fleets)
	}
}

func TestFleetChecks(t *testing.T) {
	s := time.Second
	run := func(wall time.Duration, requests int, openPorts string) runResult {
		return runResult{wall: wall, openPorts: openPorts, stats: fakegraph.Stats{GraphRequests: requests}}
	}
	forEach := result{startup: s / 2, wall: 5 * s, runs: []runResult{run(5*s, 600, "476")}}
	for _, tc := range []struct {
		name  string
		fleet fleetResult
		want  []bool // speed-up, requests, same answer
	}{
		{"every target met", fleetResult{wall: s, runs: []runResult{run(s, 600, "476")}}, []bool{true, true, true}},
		{"under 4x after start-up", fleetResult{wall: 2 * s, runs: []runResult{run(2*s, 600, "476")}}, []bool{false, true, true}},
		{"more requests", fleetResult{wall: s, runs: []runResult{run(s, 601, "476")}}, []bool{true, false, true}},
		{"another answer", fleetResult{wall: s, runs: []runResult{run(s, 600, "475")}}, []bool{true, true, false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checks := fleetChecks(forEach, tc.fleet)
			for i, c := range checks {
				if c.ok != tc.want[i] {
					t.Errorf("check %q: ok = %v, want %v", c.what, c.ok, tc.want[i])
				}
			}
		})
	}
}
