package provider

import (
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
)

// Each case runs a real plan under terraform or tofu against the emulator
// (or an address where nothing listens) and expects the one sentence that
// says what failed: the host, the issuer, the address, the fix.

// distrustingFactories are the emulator's provider factories with an empty
// root pool: a machine that does not trust the emulator's CA.
func distrustingFactories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"defender": NewProtocol6Server(&defenderProvider{version: "test", rootCAs: x509.NewCertPool()}),
	}
}

// retryBudget is roughly how long the default retries (4, from 0.8 s
// doubling) would take on a failure they cannot mend, measured at 25-42 s
// for a sign-in before certificate errors stopped them.
const retryBudget = 12 * time.Second

// quickly runs a test case and fails if it took a sizeable part of the
// retry budget: a certificate error must not be retried.
func quickly(t *testing.T, c resource.TestCase) {
	t.Helper()
	started := time.Now()
	resource.UnitTest(t, c)
	if took := time.Since(started); took > retryBudget/2 {
		t.Errorf("the plan took %s to fail; a failure no retry can mend was retried", took.Round(time.Millisecond))
	}
}

// words matches text as Terraform prints it, wrapped to its width: every
// space may be a line break.
func words(text string) string {
	return strings.ReplaceAll(regexp.QuoteMeta(text), " ", `\s+`)
}

const hostPortsRead = `
data "defender_ti_host_ports" "test" {
  host_id = "8.8.8.8"
}`

func TestNetworkErrorUntrustedAuthorityFailsAtOnce(t *testing.T) {
	clearProviderEnvironment(t)
	env := newEmulatorEnv(t, fakegraph.Config{})
	quickly(t, resource.TestCase{
		ProtoV6ProviderFactories: distrustingFactories(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock() + hostPortsRead,
			ExpectError: regexp.MustCompile(`(?s)Unable To Sign In To Entra ID.*` +
				words(`client secret: the TLS certificate of 127.0.0.1 is issued by "CN=fakegraph emulator CA,O=fakegraph"`) + `.*SSL_CERT_FILE.*authority_host`),
		}},
	})
	// Each attempt is a connection whose handshake fails: MSAL tries a
	// cached sign-in and then a fresh one, each once, not once per retry.
	if got := env.emulator.Connections(); got > 2 {
		t.Errorf("the emulator saw %d connections; the certificate error was retried", got)
	}
}

// stubAzureCLI puts on PATH an `az` that prints an emulator token as `az
// account get-access-token` does, and returns the file it logs its calls to.
func stubAzureCLI(t *testing.T, emulator *fakegraph.Server) string {
	t.Helper()
	dir := t.TempDir()
	calls := filepath.Join(dir, "calls")
	answer := fmt.Sprintf(`{"accessToken": %q, "expiresOn": "2099-01-01 00:00:00.000000", "expires_on": %d, "subscription": "", "tenant": %q, "tokenType": "Bearer"}`,
		emulator.IssueToken(fakegraph.DefaultTenantID), time.Now().Add(time.Hour).Unix(), fakegraph.DefaultTenantID)
	script := fmt.Sprintf("#!/bin/sh\necho \"$@\" >> '%s'\nprintf '%%s' '%s'\n", calls, answer)
	if err := os.WriteFile(filepath.Join(dir, "az"), []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return calls
}

// TestNetworkErrorUntrustedGraphFailsAtOnce signs in with the Azure CLI,
// which needs no TLS, so the certificate error is Graph's own.
func TestNetworkErrorUntrustedGraphFailsAtOnce(t *testing.T) {
	clearProviderEnvironment(t)
	env := newEmulatorEnv(t, fakegraph.Config{})
	stubAzureCLI(t, env.emulator)
	quickly(t, resource.TestCase{
		ProtoV6ProviderFactories: distrustingFactories(),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "defender" {
  graph_endpoint = %q
}`, env.emulator.URL()) + hostPortsRead,
			ExpectError: regexp.MustCompile(`(?s)"8\.8\.8\.8".*calling\s+Graph:.*` +
				words(`the TLS certificate of 127.0.0.1 is issued by "CN=fakegraph emulator CA,O=fakegraph"`) + `.*SSL_CERT_FILE`),
		}},
	})
	if got := env.emulator.Connections(); got != 1 {
		t.Errorf("the emulator saw %d connections, want 1: the certificate error was retried", got)
	}
}

// closedLoopbackAddress returns 127.0.0.1:port where nothing listens.
func closedLoopbackAddress(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	address := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return address
}

func TestNetworkErrorRefusedAuthorityNamesTheAddress(t *testing.T) {
	clearProviderEnvironment(t)
	env := newEmulatorEnv(t, fakegraph.Config{})
	address := closedLoopbackAddress(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			// No retries: a refusal stays retriable, and this case is about
			// the message, not the back-off.
			Config: fmt.Sprintf(`
provider "defender" {
  %s
  client_secret              = %q
  graph_endpoint             = %q
  authority_host             = "https://%s"
  disable_instance_discovery = true
  max_retries                = 0
}`, tenantAndClient(), fakegraph.DefaultClientSecret, env.emulator.URL(), address) + hostPortsRead,
			ExpectError: regexp.MustCompile(`(?s)Unable To Sign In To Entra ID.*` +
				words("client secret: nothing accepted a connection at "+address+" (connection refused)") + `.*authority_host`),
		}},
	})
}

func TestNetworkErrorRefusedGraphNamesTheAddress(t *testing.T) {
	clearProviderEnvironment(t)
	env := newEmulatorEnv(t, fakegraph.Config{})
	address := closedLoopbackAddress(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "defender" {
  %s
  client_secret              = %q
  graph_endpoint             = "https://%s"
  authority_host             = %q
  disable_instance_discovery = true
  max_retries                = 0
}`, tenantAndClient(), fakegraph.DefaultClientSecret, address, env.emulator.URL()) + hostPortsRead,
			ExpectError: regexp.MustCompile(`(?s)"8\.8\.8\.8".*calling\s+Graph:.*` + words("nothing accepted a connection at "+address+" (connection refused)")),
		}},
	})
}

func TestNetworkErrorUnknownAuthorityHostNamesTheHost(t *testing.T) {
	clearProviderEnvironment(t)
	env := newEmulatorEnv(t, fakegraph.Config{})
	quickly(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "defender" {
  %s
  client_secret              = %q
  graph_endpoint             = %q
  authority_host             = "https://login.nowhere.invalid"
  disable_instance_discovery = true
}`, tenantAndClient(), fakegraph.DefaultClientSecret, env.emulator.URL()) + hostPortsRead,
			ExpectError: regexp.MustCompile(`(?s)Unable To Sign In To Entra ID.*client\s+secret:\s+the\s+host\s+name\s+"login\.nowhere\.invalid"`),
		}},
	})
}
