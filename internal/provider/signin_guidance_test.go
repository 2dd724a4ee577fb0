package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
)

// guidance matches the list of every sign-in method, with an attribute and
// an environment variable of each, and the link to the guide.
var guidance = `.*client_certificate_path.*ARM_CLIENT_CERTIFICATE.*client_secret.*ARM_CLIENT_SECRET.*use_oidc.*ARM_USE_OIDC` +
	`.*use_aks_workload_identity.*ARM_USE_AKS_WORKLOAD_IDENTITY.*use_msi.*ARM_USE_MSI.*az\s+login` +
	`.*` + wrappedText(authenticationGuide)

// wrappedText matches text however Terraform wraps its lines.
func wrappedText(text string) string {
	words := strings.Fields(text)
	for i, word := range words {
		words[i] = regexp.QuoteMeta(word)
	}
	return strings.Join(words, `\s+`)
}

// TestSignInGuidanceWhenNothingIsConfigured covers a first run with nothing
// configured: on the default path (the Azure CLI, not installed) as on the
// path with the CLI turned off, the error says nothing is configured and how
// to configure each method.
func TestSignInGuidanceWhenNothingIsConfigured(t *testing.T) {
	clearProviderEnvironment(t)
	env := newEmulatorEnv(t, fakegraph.Config{})
	t.Setenv("PATH", t.TempDir()) // no az anywhere
	read := hostPortsRead
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "defender" {
  graph_endpoint = %q
  authority_host = %q
}`, env.emulator.URL(), env.emulator.URL()) + read,
			ExpectError: regexp.MustCompile(`(?s)Unable To Sign In To Entra ID.*` + words("No sign-in method is configured") + `.*` + words("tried its fallback, the Azure CLI (az), which failed:") + `.*not\s+found` + guidance),
		}, {
			Config: fmt.Sprintf(`
provider "defender" {
  graph_endpoint = %q
  use_cli        = false
}`, env.emulator.URL()) + read,
			ExpectError: regexp.MustCompile(`(?s)Unable To Set Up Authentication.*` + words("No sign-in method is configured") + `.*use_cli` + guidance),
		}},
	})
}
