// Command demo runs the provider's main job end to end: a real terraform or
// tofu applies examples/demo through dev_overrides and prints the open ports
// of its hosts. With ARM_TENANT_ID, ARM_CLIENT_ID and ARM_CLIENT_SECRET set
// it reads a real tenant; otherwise it starts the bundled Graph emulator.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
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
	if err := run(ctx, *binary, *providerDir, *configDir, *workDir); err != nil {
		fmt.Fprintln(os.Stderr, "demo failed:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, binary, providerDir, configDir, workDir string) error {
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
		fmt.Println("==> Reading a real tenant: ARM_TENANT_ID, ARM_CLIENT_ID and ARM_CLIENT_SECRET are set.")
	} else {
		var err error
		emulator, err = fakegraph.Start(fakegraph.Config{})
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
		fmt.Printf("==> No tenant configured (ARM_TENANT_ID, ARM_CLIENT_ID, ARM_CLIENT_SECRET): using the bundled Graph emulator at %s\n", emulator.URL())
	}

	fmt.Printf("==> %s apply %s\n", filepath.Base(binary), configDir)
	result, err := runner.Run(ctx, "apply", "-auto-approve", "-input=false", "-no-color")
	if err != nil {
		return err
	}
	fmt.Print(result.Stdout)
	if emulator != nil {
		stats := emulator.Stats()
		fmt.Printf("==> Emulator: %d token request(s), %d Graph request(s), %d connection(s).\n",
			stats.TokenRequests, stats.GraphRequests, stats.Connections)
		fmt.Println("==> To read a real tenant instead, export ARM_TENANT_ID, ARM_CLIENT_ID and ARM_CLIENT_SECRET " +
			"(an app registration with the Graph permission ThreatIntelligence.Read.All) and run `make demo` again.")
	}
	return nil
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
