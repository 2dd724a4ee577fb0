package provider

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph/fakegraphtest"
	"github.com/defender-ti/terraform-provider-defender/internal/tfcli"
)

// TestCLIPlanForEach runs one real `plan` of a for_each configuration with the
// provider binary, as a user would, and counts on the emulator what one run
// costs: one token for the provider instance, and one request per page.
// cliRun is a real binary, a freshly built provider and an emulator, wired
// together through the environment variables a user would set.
type cliRun struct {
	emulator *fakegraph.Server
	runner   tfcli.Runner
}

func newCLIRun(t *testing.T, ctx context.Context, config string, extraEnv ...string) *cliRun {
	t.Helper()
	return newCLIRunWith(t, ctx, fakegraph.Config{}, config, extraEnv...)
}

// newCLIRunWith is newCLIRun with an emulator configured by emulatorConfig.
func newCLIRunWith(t *testing.T, ctx context.Context, emulatorConfig fakegraph.Config, config string, extraEnv ...string) *cliRun {
	t.Helper()
	binary := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if binary == "" {
		t.Skip("TF_ACC_TERRAFORM_PATH names no terraform or tofu binary; `make test` builds and sets one")
	}
	providerDir := t.TempDir()
	if _, err := tfcli.BuildProvider(ctx, "../..", providerDir); err != nil {
		t.Fatal(err)
	}
	emulator := fakegraphtest.Start(t, emulatorConfig)

	work := t.TempDir()
	caFile := filepath.Join(work, "ca.pem")
	if err := os.WriteFile(caFile, emulator.CAPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	header := `
terraform {
  required_providers {
    defender = { source = "defender-ti/defender" }
  }
}

provider "defender" {}
`
	if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(header+config), 0o600); err != nil {
		t.Fatal(err)
	}
	runner := tfcli.Runner{
		Binary:    binary,
		Dir:       work,
		CLIConfig: filepath.Join(work, "cli.tfrc"),
		Env:       append(emulator.ProviderEnvironment(caFile), extraEnv...),
	}
	if err := tfcli.WriteCLIConfig(runner.CLIConfig, providerDir); err != nil {
		t.Fatal(err)
	}
	return &cliRun{emulator: emulator, runner: runner}
}

// TestCLIPlanForEach runs one real `plan` of a for_each configuration with the
// provider binary, as a user would, and counts on the emulator what one run
// costs: one token for the provider instance, and one request per page.
func TestCLIPlanForEach(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	run := newCLIRun(t, ctx, `
data "defender_ti_host_ports" "host" {
  for_each = toset(["8.8.8.8", "contoso.com", "198.51.100.10", "empty.example.org", "`+fakegraph.SamplePagingHost+`", "unknown.example.com"])
  host_id  = each.value
}

output "open_port_counts" {
  value = { for host, ports in data.defender_ti_host_ports.host : host => length(ports.open_ports) }
}
`, "TF_LOG=TRACE")
	emulator := run.emulator
	result, err := run.runner.Run(ctx, "plan", "-input=false", "-no-color")
	if err != nil {
		t.Fatal(err)
	}

	if got := emulator.TokenRequests(); got != 1 {
		t.Errorf("one plan made %d token requests, want 1", got)
	}
	// Entra and Graph share one origin here, and the provider one pool of
	// keep-alive connections: eight parallel reads must not each dial.
	if got := emulator.Connections(); got > 3 {
		t.Errorf("one plan opened %d connections; keep-alive reuse is not working", got)
	}
	pages := map[string]int{}
	for _, r := range emulator.Requests() {
		if r.Origin == "graph" {
			pages[r.Path+"?"+r.RawQuery]++
		}
	}
	// 5 hosts of one page, 3 pages of the paging host, one 404.
	if len(pages) != 8 {
		t.Errorf("want 8 distinct Graph requests, got %d: %v", len(pages), pages)
	}
	for page, n := range pages {
		if n != 1 {
			t.Errorf("%s was fetched %d times in one plan, want once", page, n)
		}
	}
	for _, want := range []string{
		"Host Not Found In Defender TI",
		`"unknown.example.com"`,
		`"contoso.com"         = 5`,
		`"` + fakegraph.SamplePagingHost + `"`,
	} {
		if !strings.Contains(result.Stdout, want) {
			t.Errorf("plan output lacks %q:\n%s", want, result.Stdout)
		}
	}
	// The trace log holds every provider and client log line of the run.
	if strings.Contains(result.Stdout+result.Stderr, fakegraph.DefaultClientSecret) {
		t.Error("the client secret appears in the output or the TRACE log")
	}
	if !strings.Contains(result.Stderr, "Graph response") {
		t.Error("the TRACE log lacks the client's per-request lines, so the secret check above proves nothing")
	}
}

// TestCLIInterruptStopsARead sends Ctrl-C (SIGINT) to a plan whose read is
// stuck on a slow Graph, and expects the plan to end promptly.
func TestCLIInterruptStopsARead(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	run := newCLIRun(t, ctx, `
data "defender_ti_host_ports" "slow" {
  host_id = "8.8.8.8"
}
`)
	const stall = 2 * time.Minute
	run.emulator.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Kind: fakegraph.KindLatency, Latency: stall, Times: -1})
	cmd, err := run.runner.Command(ctx, "plan", "-input=false", "-no-color")
	if err != nil {
		t.Fatal(err)
	}
	var output strings.Builder
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the read is in flight at the emulator.
	for len(run.emulator.Requests()) == 0 || run.emulator.Requests()[len(run.emulator.Requests())-1].Origin != "graph" {
		select {
		case <-ctx.Done():
			t.Fatal("the read never reached the emulator")
		case <-time.After(20 * time.Millisecond):
		}
	}
	interrupted := time.Now()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	took := time.Since(interrupted)
	t.Logf("the plan ended %s after the interrupt", took.Round(time.Millisecond))
	if err == nil {
		t.Errorf("an interrupted plan exited successfully:\n%s", output.String())
	}
	if took > stall/4 {
		t.Errorf("the plan took %s to stop after an interrupt; the read was not cancelled", took)
	}
	if !strings.Contains(strings.ToLower(output.String()), "cancel") {
		t.Errorf("the output does not say the read was cancelled:\n%s", output.String())
	}
}
