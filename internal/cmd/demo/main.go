// Command demo runs the provider's main job end to end: a real terraform or
// tofu applies examples/demo through dev_overrides and prints the open ports
// of its hosts. With ARM_TENANT_ID, ARM_CLIENT_ID and ARM_CLIENT_SECRET set
// it reads a real tenant; otherwise it starts the bundled Graph emulator,
// whose data is sample data. TF_VAR_hosts chooses the hosts, as for any
// Terraform variable.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
	"github.com/defender-ti/terraform-provider-defender/internal/tfcli"
)

func main() {
	binary := flag.String("terraform", ".tools/bin/tofu", "the terraform or tofu binary to run")
	providerDir := flag.String("provider-dir", "bin", "the directory holding the built terraform-provider-defender")
	configDir := flag.String("config", "examples/demo", "the configuration to apply")
	workDir := flag.String("work", ".demo", "a scratch directory for state and the CLI configuration")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Stdout, *binary, *providerDir, *configDir, *workDir); err != nil {
		fmt.Fprintln(os.Stderr, "demo failed:", err)
		os.Exit(1)
	}
}

// pickHosts tells how to choose the hosts to read.
const pickHosts = `choose the hosts with TF_VAR_hosts, e.g. TF_VAR_hosts='["example.com", "203.0.113.7"]' make demo`

func run(ctx context.Context, out io.Writer, binary, providerDir, configDir, workDir string) error {
	if err := os.RemoveAll(workDir); err != nil {
		return err
	}
	if err := os.MkdirAll(workDir, 0o755); err != nil {
		return err
	}
	if err := copyConfiguration(configDir, workDir); err != nil {
		return err
	}
	runner := tfcli.Runner{Binary: binary, Dir: workDir, CLIConfig: filepath.Join(workDir, "cli.tfrc")}
	if err := tfcli.WriteCLIConfig(runner.CLIConfig, providerDir); err != nil {
		return err
	}

	var emulator *fakegraph.Server
	if liveTenantConfigured() {
		fmt.Fprintln(out, "==> Reading a real tenant: ARM_TENANT_ID, ARM_CLIENT_ID and ARM_CLIENT_SECRET are set.")
		fmt.Fprintln(out, liveHostsNote(os.Getenv("TF_VAR_hosts")))
	} else {
		data := fakegraph.SampleData()
		var err error
		emulator, err = fakegraph.Start(fakegraph.Config{Data: data})
		if err != nil {
			return fmt.Errorf("starting the emulator: %w", err)
		}
		defer emulator.Close()
		caFile, err := filepath.Abs(filepath.Join(workDir, "emulator-ca.pem"))
		if err != nil {
			return err
		}
		if err := os.WriteFile(caFile, emulator.CAPEM(), 0o600); err != nil {
			return err
		}
		runner.Env = emulator.ProviderEnvironment(caFile)
		fmt.Fprintf(out, "==> No tenant configured (ARM_TENANT_ID, ARM_CLIENT_ID, ARM_CLIENT_SECRET): using the bundled Graph emulator at %s.\n", emulator.URL())
		fmt.Fprintf(out, "==> Its data is sample data, not Defender TI's; it knows the hosts %s.\n", strings.Join(data.Hosts(), ", "))
	}

	fmt.Fprintf(out, "==> %s apply %s\n", filepath.Base(binary), configDir)
	result, err := runner.Run(ctx, "apply", "-auto-approve", "-input=false", "-no-color")
	if err != nil {
		return err
	}
	fmt.Fprint(out, result.Stdout)
	if emulator != nil {
		stats := emulator.Stats()
		fmt.Fprintf(out, "==> Emulator: %d token request(s), %d Graph request(s), %d connection(s).\n",
			stats.TokenRequests, stats.GraphRequests, stats.Connections)
		fmt.Fprintln(out, "==> That was the emulator's sample data. To read a real tenant, export ARM_TENANT_ID, ARM_CLIENT_ID "+
			"and ARM_CLIENT_SECRET (an app registration with the Graph permission ThreatIntelligence.Read.All), and "+pickHosts+".")
	}
	return nil
}

// liveHostsNote says which hosts a run on a real tenant reads.
func liveHostsNote(tfVarHosts string) string {
	if tfVarHosts != "" {
		return "==> Reading the hosts in TF_VAR_hosts: " + tfVarHosts
	}
	return "==> Reading the demo's default hosts, the emulator's sample hosts, which your tenant may not know; " + pickHosts + "."
}

func liveTenantConfigured() bool {
	return os.Getenv("ARM_TENANT_ID") != "" && os.Getenv("ARM_CLIENT_ID") != "" && os.Getenv("ARM_CLIENT_SECRET") != ""
}

func copyConfiguration(from, to string) error {
	files, err := filepath.Glob(filepath.Join(from, "*.tf"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no .tf files in %s", from)
	}
	for _, file := range files {
		content, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(to, filepath.Base(file)), content, 0o600); err != nil {
			return err
		}
	}
	return nil
}
