package provider

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// manyReads is a configuration of n data sources.
func manyReads(n int) string {
	return fmt.Sprintf(`
data "defender_ti_host_ports" "host" {
  count   = %d
  host_id = "198.51.100.${count.index + 1}"
}
`, n)
}

// TestSignInFailureReportedOncePerConfiguration plans twenty data sources
// with a wrong client secret under the real binary: the error must appear
// once, for the provider, not once per data source.
func TestSignInFailureReportedOncePerConfiguration(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	run := newCLIRun(t, ctx, manyReads(20), "ARM_CLIENT_SECRET=wrong-secret")
	result, err := run.runner.Run(ctx, "plan", "-input=false", "-no-color")
	output := result.Stdout + result.Stderr
	if err == nil {
		t.Fatalf("a plan with a wrong secret succeeded:\n%s", output)
	}
	for _, text := range []string{"AADSTS7000215", "Unable To Sign In To Entra ID"} {
		if n := strings.Count(output, text); n != 1 {
			t.Errorf("%q appears %d times in the output of a plan of 20 data sources, want once:\n%s", text, n, output)
		}
	}
	if n := run.emulator.TokenRequests(); n != 1 {
		t.Errorf("the plan asked for a token %d times, want once", n)
	}
	for _, r := range run.emulator.Requests() {
		if r.Origin == "graph" {
			t.Errorf("a read reached Graph without a token: %s", r.Path)
		}
	}
}

// TestSignInOnceWithAzureCLI proves that signing in during Configure does
// not cost a second sign-in at the first read: the Azure CLI credential has
// no cache, so each sign-in would run `az` again.
func TestSignInOnceWithAzureCLI(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// A client secret left empty leaves the CLI alone in the chain.
	run := newCLIRun(t, ctx, manyReads(5), "ARM_CLIENT_SECRET=")
	calls := stubAzureCLI(t, run.emulator)
	// The stub is on this process's PATH, which the binary and the provider
	// inherit.
	if _, err := run.runner.Run(ctx, "plan", "-input=false", "-no-color"); err != nil {
		t.Fatal(err)
	}
	logged, err := os.ReadFile(calls)
	if err != nil {
		t.Fatalf("az was never run: %v", err)
	}
	if n := strings.Count(string(logged), "get-access-token"); n != 1 {
		t.Errorf("one plan of 5 reads ran `az account get-access-token` %d times, want once:\n%s", n, logged)
	}
	reads := 0
	for _, r := range run.emulator.Requests() {
		if r.Origin == "graph" && r.Bearer {
			reads++
		}
	}
	if reads != 5 {
		t.Errorf("%d Graph requests with a token reached the emulator, want one for each of the 5 reads", reads)
	}
}
