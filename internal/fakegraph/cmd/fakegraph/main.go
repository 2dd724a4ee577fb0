// Command fakegraph runs the Entra ID + Graph Threat Intelligence emulator
// as a process, for the demo, the benchmarks and manual runs of the provider
// under terraform or tofu. It prints what a client needs (url, ca, tenant_id,
// client_id, client_secret) and serves until SIGINT or SIGTERM.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "fakegraph:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		dataDir   = flag.String("data", "", "directory of host JSON files (default: the embedded sample)")
		genHosts  = flag.Int("generate-hosts", 0, "serve N generated hosts instead of the sample")
		genPorts  = flag.Int("generate-ports", 100, "ports per generated host")
		seed      = flag.Int64("seed", 1, "seed of the generated data")
		pageSize  = flag.Int("page-size", fakegraph.DefaultPageSize, "server-side page size")
		latency   = flag.Duration("latency", 0, "delay added to every Graph response")
		tokenTTL  = flag.Duration("token-ttl", time.Hour, "lifetime of issued access tokens")
		caOut     = flag.String("ca-out", "", "write the CA certificate (PEM) here (default: a temporary file)")
		envOut    = flag.String("env-out", "", "also write shell export lines for the provider here")
		writeData = flag.String("write-data", "", "write the dataset to this directory and exit (one JSON file per host)")
	)
	flag.Parse()

	var data *fakegraph.Dataset
	switch {
	case *genHosts > 0:
		data = fakegraph.Generate(*genHosts, *genPorts, *seed)
	case *dataDir != "":
		d, err := fakegraph.LoadDir(*dataDir)
		if err != nil {
			return err
		}
		data = d
	default:
		data = fakegraph.SampleData()
	}
	if *writeData != "" {
		return data.WriteDir(*writeData)
	}

	s, err := fakegraph.Start(fakegraph.Config{PageSize: *pageSize, Latency: *latency, TokenTTL: *tokenTTL, Data: data})
	if err != nil {
		return err
	}
	defer s.Close()

	caPath := *caOut
	if caPath == "" {
		f, err := os.CreateTemp("", "fakegraph-ca-*.pem")
		if err != nil {
			return err
		}
		f.Close()
		caPath = f.Name()
		defer os.Remove(caPath)
	}
	if err := os.WriteFile(caPath, s.CAPEM(), 0o644); err != nil {
		return err
	}
	if abs, err := filepath.Abs(caPath); err == nil {
		caPath = abs
	}
	if *envOut != "" {
		lines := []string{"export DEFENDER_EMULATOR_URL=" + shellQuote(s.URL())}
		for _, variable := range s.ProviderEnvironment(caPath) {
			name, value, _ := strings.Cut(variable, "=")
			lines = append(lines, "export "+name+"="+shellQuote(value))
		}
		env := strings.Join(lines, "\n") + "\n"
		if err := os.WriteFile(*envOut, []byte(env), 0o600); err != nil {
			return err
		}
	}

	// One key=value per line, so scripts can read it with grep or read.
	fmt.Printf("url=%s\nca=%s\ntenant_id=%s\nclient_id=%s\nclient_secret=%s\nhosts=%d\n",
		s.URL(), caPath, fakegraph.DefaultTenantID, fakegraph.DefaultClientID, fakegraph.DefaultClientSecret, len(data.Hosts()))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	return nil
}

// shellQuote single-quotes a value for POSIX shells.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
