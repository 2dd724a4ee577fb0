package main

import (
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
)

// dataBlocks parses a configuration and returns its data blocks by type.
func dataBlocks(t *testing.T, configuration string) map[string]*hclsyntax.Block {
	t.Helper()
	file, diags := hclsyntax.ParseConfig([]byte(configuration), "main.tf", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	body, ok := file.Body.(*hclsyntax.Body)
	if !ok {
		t.Fatalf("the configuration parsed as %T", file.Body)
	}
	blocks := map[string]*hclsyntax.Block{}
	outputs := 0
	for _, block := range body.Blocks {
		switch block.Type {
		case "data":
			if _, ok := blocks[block.Labels[0]]; ok {
				t.Errorf("two data sources of type %s", block.Labels[0])
			}
			blocks[block.Labels[0]] = block
		case "output":
			if block.Labels[0] == "exposure" {
				outputs++
			}
		}
	}
	if outputs != 1 {
		t.Errorf("%d exposure outputs, want 1", outputs)
	}
	return blocks
}

func TestExposureConfigurationsReadTheSameKinds(t *testing.T) {
	forEach := dataBlocks(t, exposureForEachConfiguration)
	if len(forEach) != len(exposureKinds) {
		t.Errorf("the for_each configuration has %d data sources, want %d", len(forEach), len(exposureKinds))
	}
	for _, kind := range exposureKinds {
		block, ok := forEach["defender_ti_host_"+kind]
		if !ok {
			t.Errorf("the for_each configuration does not read %s", kind)
			continue
		}
		for _, attribute := range []string{"for_each", "host_id"} {
			if _, ok := block.Body.Attributes[attribute]; !ok {
				t.Errorf("defender_ti_host_%s has no %s", kind, attribute)
			}
		}
	}

	fleet := dataBlocks(t, exposureFleetConfiguration)
	block, ok := fleet["defender_ti_hosts"]
	if !ok || len(fleet) != 1 {
		t.Fatalf("the fleet configuration reads %d data sources, want one defender_ti_hosts", len(fleet))
	}
	include, diags := block.Body.Attributes["include"].Expr.Value(nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	var kinds []string
	for _, v := range include.AsValueSlice() {
		kinds = append(kinds, v.AsString())
	}
	if !slices.Equal(kinds, exposureKinds) {
		t.Errorf("include = %v, want %v", kinds, exposureKinds)
	}
}

func TestParseExposureSummary(t *testing.T) {
	plan := `Changes to Outputs:
  + exposure = "open_ports=476 certificates=400 components=600 suspicious=54 malicious=50 whois=100 digest=93994e8e3221d567"
`
	got, err := parseExposureSummary(plan)
	if err != nil {
		t.Fatal(err)
	}
	want := exposureSummary{openPorts: 476, certificates: 400, components: 600, suspicious: 54, malicious: 50, whois: 100, digest: "93994e8e3221d567"}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	for name, bad := range map[string]string{
		"no output":      "No changes.",
		"not a number":   `exposure = "open_ports=x certificates=1 components=1 suspicious=0 malicious=0 whois=0 digest=ab"`,
		"a count absent": `exposure = "open_ports=1 components=1 suspicious=0 malicious=0 whois=0 digest=ab"`,
		"no digest":      `exposure = "open_ports=1 certificates=1 components=1 suspicious=0 malicious=0 whois=0"`,
		"not name=value": `exposure = "open_ports=1 certificates"`,
	} {
		if _, err := parseExposureSummary(bad); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestExpectedExposure(t *testing.T) {
	const hosts = 6
	data := fakegraph.GenerateHosts(fakegraph.GenerateOptions{
		Hosts: hosts, PortsPerHost: 3, Seed: 1,
		SslCertificatesPerHost: exposureCertificatesPerHost, ComponentsPerHost: exposureComponentsPerHost,
	})
	got, err := expectedExposure(data)
	if err != nil {
		t.Fatal(err)
	}
	names := 0
	for _, host := range data.Hosts() {
		if net.ParseIP(host) == nil {
			names++
		}
	}
	if got.certificates != hosts*exposureCertificatesPerHost || got.components != hosts*exposureComponentsPerHost {
		t.Errorf("%d certificates and %d components, want %d and %d", got.certificates, got.components, hosts*exposureCertificatesPerHost, hosts*exposureComponentsPerHost)
	}
	// IP addresses have no WHOIS record.
	if got.whois != names || names == 0 || names == hosts {
		t.Errorf("%d WHOIS records for %d host names of %d hosts", got.whois, names, hosts)
	}
	if got.openPorts == 0 || got.openPorts > hosts*3 || got.suspicious+got.malicious > hosts {
		t.Errorf("implausible answer %s", got)
	}
}

func TestExposureChecks(t *testing.T) {
	s := time.Second
	answer := exposureSummary{openPorts: 476, certificates: 400, components: 600, suspicious: 54, malicious: 50, whois: 100, digest: "93994e8e3221d567"}
	run := func(wall time.Duration, requests int, summary exposureSummary) exposureRun {
		return exposureRun{run: runResult{wall: wall, stats: fakegraph.Stats{GraphRequests: requests}}, summary: summary}
	}
	otherDigest := answer
	otherDigest.digest = "0000000000000000"
	fewerWhois := answer
	fewerWhois.whois = 99
	forEach := []exposureRun{run(10*s, 1000, answer), run(11*s, 1000, answer), run(12*s, 1000, answer)}
	for _, tc := range []struct {
		name     string
		fleet    []exposureRun
		expected exposureSummary
		want     []bool // speed-up, requests, same answer
	}{
		{"every target met", []exposureRun{run(3*s, 1000, answer), run(3*s, 1000, answer), run(4*s, 1000, answer)}, answer, []bool{true, true, true}},
		{"under 4x after start-up", []exposureRun{run(4*s, 1000, answer), run(4*s, 1000, answer), run(4*s, 1000, answer)}, answer, []bool{false, true, true}},
		{"more requests", []exposureRun{run(3*s, 1000, answer), run(3*s, 1001, answer), run(3*s, 1000, answer)}, answer, []bool{true, false, true}},
		{"one plan read other values", []exposureRun{run(3*s, 1000, answer), run(3*s, 1000, otherDigest), run(3*s, 1000, answer)}, answer, []bool{true, true, false}},
		{"both agree, the emulator does not", []exposureRun{run(3*s, 1000, answer), run(3*s, 1000, answer), run(3*s, 1000, answer)}, fewerWhois, []bool{true, true, false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Start-up 1 s: the for_each reads in 10 s, the fleet in 2 or 3 s.
			r := exposureResult{binary: "tofu", startup: s, forEach: forEach, fleet: tc.fleet}
			checks := exposureChecks(r, tc.expected.counts())
			if len(checks) != len(tc.want) {
				t.Fatalf("%d checks, want %d", len(checks), len(tc.want))
			}
			for i, c := range checks {
				if c.ok != tc.want[i] {
					t.Errorf("check %q: ok = %v, want %v", c.what, c.ok, tc.want[i])
				}
			}
		})
	}
	if sameExposure(nil, nil, answer) {
		t.Error("no plans count as the same answer")
	}
	if !strings.Contains(answer.String(), "100 WHOIS records") || strings.Contains(answer.counts().String(), "digest") {
		t.Errorf("String: %q, counts: %q", answer.String(), answer.counts().String())
	}
}
