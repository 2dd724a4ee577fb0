package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/hashicorp/terraform-plugin-log/tfsdklog"
)

func clearLogVariables(t *testing.T) {
	t.Helper()
	for _, name := range append(logLevelVariables, silencedLogVariables...) {
		t.Setenv(name, "")
		_ = os.Unsetenv(name)
	}
}

func TestSilenceUnrequestedLogs(t *testing.T) {
	clearLogVariables(t)
	silenceUnrequestedLogs()
	for _, name := range silencedLogVariables {
		if got := os.Getenv(name); got != "OFF" {
			t.Errorf("with no log level set, %s = %q, want OFF", name, got)
		}
	}

	for _, asked := range logLevelVariables {
		clearLogVariables(t)
		t.Setenv(asked, "DEBUG")
		silenceUnrequestedLogs()
		for _, name := range silencedLogVariables {
			if name != asked && os.Getenv(name) != "" {
				t.Errorf("with %s set, %s was changed to %q", asked, name, os.Getenv(name))
			}
		}
	}
}

// The provider's logger is built by terraform-plugin-go's server with its
// level from TF_LOG_PROVIDER_<NAME>, NAME being the provider type in capitals,
// and logs at TRACE when that variable is empty. The Graph client logs each
// request through it, so an unsilenced logger formats a JSON line per request.
func TestSilenceUnrequestedLogsQuietsTheProviderLogger(t *testing.T) {
	clearLogVariables(t)
	if providerDebugOutput(t) == "" {
		t.Fatal("with no level set and nothing silenced, the provider logger should log at DEBUG; the probe cannot tell")
	}
	silenceUnrequestedLogs()
	if out := providerDebugOutput(t); out != "" {
		t.Errorf("with no log level set, the provider logger still wrote:\n%s", out)
	}

	clearLogVariables(t)
	t.Setenv("TF_LOG", "DEBUG")
	silenceUnrequestedLogs()
	if providerDebugOutput(t) == "" {
		t.Error("with TF_LOG=DEBUG, the provider logger wrote nothing")
	}
}

// providerDebugOutput builds the provider's root logger as the plugin server
// does and returns what one DEBUG line writes to stderr.
func providerDebugOutput(t *testing.T) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "stderr")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = f
	ctx := tfsdklog.NewRootProviderLogger(context.Background(),
		tfsdklog.WithLogName("DEFENDER"), tflog.WithLevelFromEnv("TF_LOG_PROVIDER", "DEFENDER"))
	tflog.Debug(ctx, "probe")
	os.Stderr = saved
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	out, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
