package provider

import (
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph/fakegraphtest"
)

// TestMain makes `go test` work on its own: it uses the Terraform binary the
// GNUmakefile builds when none is named, and an empty CLI configuration,
// because these machines export a TF_CLI_CONFIG_FILE that does not exist.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "defender-provider-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cliConfig := filepath.Join(dir, "empty.tfrc")
	if err := os.WriteFile(cliConfig, nil, 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("TF_CLI_CONFIG_FILE", cliConfig)
	os.Setenv("CHECKPOINT_DISABLE", "1")
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		if built, err := filepath.Abs("../../.tools/bin/terraform"); err == nil {
			if _, err := os.Stat(built); err == nil {
				os.Setenv("TF_ACC_TERRAFORM_PATH", built)
			}
		}
	}
	// terraform-plugin-testing reattaches the in-process provider under the
	// legacy "-" namespace too unless told otherwise, which OpenTofu refuses.
	if filepath.Base(os.Getenv("TF_ACC_TERRAFORM_PATH")) == "tofu" {
		setIfUnset("TF_ACC_PROVIDER_NAMESPACE", "hashicorp")
	}
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		if _, err := exec.LookPath("terraform"); err != nil {
			fmt.Fprintln(os.Stderr, "These tests run the provider under a real terraform or tofu binary, and none was found: "+
				"run `make binaries` (or `make test`), or set TF_ACC_TERRAFORM_PATH.")
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func setIfUnset(name, value string) {
	if os.Getenv(name) == "" {
		os.Setenv(name, value)
	}
}

// emulatorEnv is one emulator and the provider factories that reach it. The
// provider runs in-process, launched by the real terraform or tofu binary
// named in TF_ACC_TERRAFORM_PATH, and talks HTTPS to the emulator.
type emulatorEnv struct {
	emulator *fakegraph.Server
	// instances counts provider servers created: one per terraform command.
	instances atomic.Int32
}

func newEmulatorEnv(t *testing.T, cfg fakegraph.Config) *emulatorEnv {
	t.Helper()
	emulator := fakegraphtest.Start(t, cfg)
	return &emulatorEnv{emulator: emulator}
}

func (e *emulatorEnv) factories() map[string]func() (tfprotov6.ProviderServer, error) {
	return e.factoriesFor(readPaths[0].server)
}

// offlineFactories serve a provider that reaches no emulator, for what
// needs no Graph, such as provider functions.
func (e *emulatorEnv) offlineFactories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"defender": func() (tfprotov6.ProviderServer, error) {
			return NewProtocol6Server(&defenderProvider{version: "test"})()
		},
	}
}

// factoriesFor serves the provider through newServer, one of readPaths.
func (e *emulatorEnv) factoriesFor(newServer func(*defenderProvider) (tfprotov6.ProviderServer, error)) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"defender": func() (tfprotov6.ProviderServer, error) {
			e.instances.Add(1)
			return newServer(&defenderProvider{version: "test", rootCAs: e.emulator.CertPool()})
		},
	}
}

// providerBlock configures the provider for the emulator; extra lines are
// added inside the block.
func (e *emulatorEnv) providerBlock(extra ...string) string {
	return fmt.Sprintf(`
provider "defender" {
  tenant_id                  = %q
  client_id                  = %q
  client_secret              = %q
  graph_endpoint             = %q
  authority_host             = %q
  disable_instance_discovery = true
  %s
}
`, fakegraph.DefaultTenantID, fakegraph.DefaultClientID, fakegraph.DefaultClientSecret,
		e.emulator.URL(), e.emulator.URL(), strings.Join(extra, "\n  "))
}

// graphRequests returns the emulator's log of Graph (not Entra) requests
// whose escaped path contains fragment.
func (e *emulatorEnv) graphRequests(fragment string) []fakegraph.Request {
	var matched []fakegraph.Request
	for _, r := range e.emulator.Requests() {
		if r.Origin == "graph" && strings.Contains(r.Path, fragment) {
			matched = append(matched, r)
		}
	}
	return matched
}

// configuredServer starts a provider server made by newServer for the
// emulator and configures it as Terraform does before reading: schema first,
// then the provider block, with overrides replacing attributes of the block.
// ConfigureProvider must succeed.
func configuredServer(tb testing.TB, emulator *fakegraph.Server, newServer func(*defenderProvider) (tfprotov6.ProviderServer, error),
	overrides map[string]tftypes.Value) (tfprotov6.ProviderServer, *tfprotov6.GetProviderSchemaResponse) {
	tb.Helper()
	ctx := context.Background()
	server, err := newServer(&defenderProvider{version: "test", rootCAs: emulator.CertPool()})
	if err != nil {
		tb.Fatal(err)
	}
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		tb.Fatal(err)
	}
	attributes := map[string]tftypes.Value{
		"tenant_id":                  tftypes.NewValue(tftypes.String, fakegraph.DefaultTenantID),
		"client_id":                  tftypes.NewValue(tftypes.String, fakegraph.DefaultClientID),
		"client_secret":              tftypes.NewValue(tftypes.String, fakegraph.DefaultClientSecret),
		"graph_endpoint":             tftypes.NewValue(tftypes.String, emulator.URL()),
		"authority_host":             tftypes.NewValue(tftypes.String, emulator.URL()),
		"disable_instance_discovery": tftypes.NewValue(tftypes.Bool, true),
	}
	maps.Copy(attributes, overrides)
	configured, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{
		Config:             dynamicValue(tb, objectWith(tb, schemas.Provider.ValueType(), attributes)),
		ClientCapabilities: &tfprotov6.ConfigureProviderClientCapabilities{DeferralAllowed: true},
	})
	if err != nil || len(configured.Diagnostics) > 0 {
		tb.Fatalf("configuring the provider: %v %v", err, configured.Diagnostics)
	}
	return server, schemas
}
