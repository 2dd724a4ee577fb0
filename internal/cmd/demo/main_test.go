package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/defender-ti/terraform-provider-defender/internal/tfcli"
)

// TestDemoOnTheEmulator runs the demo as `make demo` does, with no tenant
// configured, under the binary in TF_ACC_TERRAFORM_PATH, with hosts chosen
// through TF_VAR_hosts.
func TestDemoOnTheEmulator(t *testing.T) {
	binary := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if binary == "" {
		t.Skip("TF_ACC_TERRAFORM_PATH names no terraform or tofu binary; `make test` runs this test under each one")
	}
	for _, name := range []string{"ARM_TENANT_ID", "ARM_CLIENT_ID", "ARM_CLIENT_SECRET"} {
		t.Setenv(name, "")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	providerDir := t.TempDir()
	if _, err := tfcli.BuildProvider(ctx, "../../..", providerDir); err != nil {
		t.Fatal(err)
	}

	// The hosts the hint after the run suggests, which the emulator does
	// not know, then a host it knows.
	hinted := strings.SplitN(strings.SplitN(pickHosts, "TF_VAR_hosts='", 2)[1], "'", 2)[0]
	for _, c := range []struct {
		hosts          string
		openPorts      map[string][]int
		riskyOpenPorts map[string][]int
	}{
		{hosts: hinted, openPorts: map[string][]int{"example.com": {}, "203.0.113.7": {}}, riskyOpenPorts: map[string][]int{}},
		{hosts: `["contoso.com"]`, openPorts: map[string][]int{"contoso.com": {22, 53, 80, 443, 3389}}, riskyOpenPorts: map[string][]int{"contoso.com": {3389}}},
	} {
		t.Run(c.hosts, func(t *testing.T) {
			t.Setenv("TF_VAR_hosts", c.hosts)
			workDir := filepath.Join(t.TempDir(), "work")
			var out bytes.Buffer
			if err := run(ctx, &out, binary, providerDir, "../../../examples/demo", workDir); err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			for _, line := range []string{
				"==> Its data is sample data, not Defender TI's; it knows the hosts 198.51.100.10, 8.8.8.8, contoso.com, empty.example.org, scan.example.net.\n",
				"==> That was the emulator's sample data. To read a real tenant, export ARM_TENANT_ID, ARM_CLIENT_ID and ARM_CLIENT_SECRET " +
					"(an app registration with the Graph permission ThreatIntelligence.Read.All), and " + pickHosts + ".\n",
			} {
				if !strings.Contains(out.String(), line) {
					t.Errorf("the demo did not print %q; it printed:\n%s", line, out.String())
				}
			}

			result, err := tfcli.Runner{Binary: binary, Dir: workDir, CLIConfig: filepath.Join(workDir, "cli.tfrc")}.Run(ctx, "output", "-json")
			if err != nil {
				t.Fatal(err)
			}
			var outputs struct {
				OpenPorts      struct{ Value map[string][]int } `json:"open_ports"`
				RiskyOpenPorts struct{ Value map[string][]int } `json:"risky_open_ports"`
			}
			if err := json.Unmarshal([]byte(result.Stdout), &outputs); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(outputs.OpenPorts.Value, c.openPorts) || !reflect.DeepEqual(outputs.RiskyOpenPorts.Value, c.riskyOpenPorts) {
				t.Errorf("open_ports = %v, risky_open_ports = %v; want %v and %v",
					outputs.OpenPorts.Value, outputs.RiskyOpenPorts.Value, c.openPorts, c.riskyOpenPorts)
			}
		})
	}
}

func TestLiveHostsNote(t *testing.T) {
	if got, want := liveHostsNote(`["example.com"]`), `==> Reading the hosts in TF_VAR_hosts: ["example.com"]`; got != want {
		t.Errorf("with TF_VAR_hosts: %q, want %q", got, want)
	}
	want := "==> Reading the demo's default hosts, the emulator's sample hosts, which your tenant may not know; " + pickHosts + "."
	if got := liveHostsNote(""); got != want {
		t.Errorf("without TF_VAR_hosts: %q, want %q", got, want)
	}
}
