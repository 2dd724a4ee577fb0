// Package tfcli runs a real terraform or tofu binary against a locally built
// provider, through a CLI configuration with dev_overrides, as a user running
// a development build would. The demo, the end-to-end tests and the
// benchmark share it.
package tfcli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ProviderSource is the provider's source address without a registry host,
// so that Terraform and OpenTofu each read it under their own default
// registry, just as they read `source = "defender-ti/defender"`.
const ProviderSource = "defender-ti/defender"

// Runner runs one binary in one working directory.
type Runner struct {
	// Binary is the path of terraform or tofu.
	Binary string
	// Dir is the working directory holding the configuration.
	Dir string
	// Env is added to the environment, after TF_CLI_CONFIG_FILE.
	Env []string
	// CLIConfig is the CLI configuration file, made by WriteCLIConfig.
	CLIConfig string
}

// WriteCLIConfig writes a CLI configuration at path that serves the provider
// from providerDir, the directory holding terraform-provider-defender.
func WriteCLIConfig(path, providerDir string) error {
	return WriteDevOverrides(path, ProviderSource, providerDir)
}

// WriteDevOverrides writes a CLI configuration at path that serves the
// provider with the given source address from dir.
func WriteDevOverrides(path, source, dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	config := fmt.Sprintf(`provider_installation {
  dev_overrides {
    %q = %q
  }
  direct {}
}
`, source, abs)
	return os.WriteFile(path, []byte(config), 0o600)
}

// Result is what one run printed.
type Result struct {
	Stdout, Stderr string
}

// Command prepares the binary with args, without starting it. The machine's
// own TF_CLI_CONFIG_FILE is replaced, since a stale one breaks OpenTofu's
// output.
func (r Runner) Command(ctx context.Context, args ...string) (*exec.Cmd, error) {
	// The binary runs in Dir, so relative paths must be resolved first.
	binary, err := filepath.Abs(r.Binary)
	if err != nil {
		return nil, err
	}
	cliConfig, err := filepath.Abs(r.CLIConfig)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = r.Dir
	cmd.Env = append(withoutVariable(os.Environ(), "TF_CLI_CONFIG_FILE"),
		"TF_CLI_CONFIG_FILE="+cliConfig, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
	cmd.Env = append(cmd.Env, r.Env...)
	return cmd, nil
}

// Run runs the binary with args and returns what it printed; the error
// includes the output too.
func (r Runner) Run(ctx context.Context, args ...string) (Result, error) {
	cmd, err := r.Command(ctx, args...)
	if err != nil {
		return Result{}, err
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	result := Result{Stdout: stdout.String(), Stderr: stderr.String()}
	if err != nil {
		return result, fmt.Errorf("%s %s: %w\nstdout:\n%s\nstderr:\n%s",
			filepath.Base(r.Binary), strings.Join(args, " "), err, result.Stdout, result.Stderr)
	}
	return result, nil
}

func withoutVariable(env []string, name string) []string {
	kept := env[:0:0]
	for _, entry := range env {
		if !strings.HasPrefix(entry, name+"=") {
			kept = append(kept, entry)
		}
	}
	return kept
}

// BuildProvider compiles the provider from moduleDir into dir and returns
// the binary's path.
func BuildProvider(ctx context.Context, moduleDir, dir string) (string, error) {
	binary := filepath.Join(dir, "terraform-provider-defender")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", binary, ".")
	cmd.Dir = moduleDir
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the provider: %w\n%s", err, out)
	}
	return binary, nil
}
