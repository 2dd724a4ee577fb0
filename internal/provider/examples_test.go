package provider

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/defender-ti/terraform-provider-defender/internal/tfcli"
)

// requiredProviders lets a documentation snippet, which leaves it out for
// brevity, be validated on its own under both Terraform and OpenTofu.
const requiredProviders = `
terraform {
  required_providers {
    defender = { source = "defender-ti/defender" }
  }
}
`

// TestExamplesValidate checks that every example the documentation shows is
// `fmt` clean and passes `validate` with the provider built from this tree.
func TestExamplesValidate(t *testing.T) {
	binary := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if binary == "" {
		t.Skip("TF_ACC_TERRAFORM_PATH names no terraform or tofu binary; `make test` builds and sets one")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	providerDir := t.TempDir()
	if _, err := tfcli.BuildProvider(ctx, "../..", providerDir); err != nil {
		t.Fatal(err)
	}
	cliConfig := filepath.Join(t.TempDir(), "cli.tfrc")
	if err := tfcli.WriteCLIConfig(cliConfig, providerDir); err != nil {
		t.Fatal(err)
	}

	snippets, err := filepath.Glob("../../examples/*/*/*.tf")
	if err != nil {
		t.Fatal(err)
	}
	providerSnippets, err := filepath.Glob("../../examples/provider/*.tf")
	if err != nil {
		t.Fatal(err)
	}
	snippets = append(snippets, providerSnippets...)
	if len(snippets) < 6 {
		t.Fatalf("found only %d example files; the glob is wrong", len(snippets))
	}
	for _, snippet := range snippets {
		t.Run(filepath.Base(filepath.Dir(snippet))+"/"+filepath.Base(snippet), func(t *testing.T) {
			content, err := os.ReadFile(snippet)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "example.tf"), content, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "versions.tf"), []byte(requiredProviders), 0o600); err != nil {
				t.Fatal(err)
			}
			validate(ctx, t, tfcli.Runner{Binary: binary, Dir: dir, CLIConfig: cliConfig})
		})
	}
	t.Run("demo", func(t *testing.T) {
		validate(ctx, t, tfcli.Runner{Binary: binary, Dir: "../../examples/demo", CLIConfig: cliConfig})
	})
}

func validate(ctx context.Context, t *testing.T, runner tfcli.Runner) {
	t.Helper()
	if _, err := runner.Run(ctx, "fmt", "-check", "-diff", "-no-color"); err != nil {
		t.Errorf("not fmt clean: %v", err)
	}
	if _, err := runner.Run(ctx, "validate", "-no-color"); err != nil {
		t.Errorf("validate failed: %v", err)
	}
}
