// Command fakegraph runs the Entra ID + Graph Threat Intelligence emulator
// as a process, for the demo, the benchmarks and manual runs of the provider
// under terraform or tofu. It prints what a client needs (url, ca, tenant_id,
// client_id, client_secret) and the hosts it serves, and serves until SIGINT
// or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout)
	if errors.Is(err, flag.ErrHelp) {
		return // -help printed the flags, as asked
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakegraph:", err)
		os.Exit(1)
	}
}

// run serves until ctx is done. What it prints goes to out once the
// emulator is listening.
func run(ctx context.Context, args []string, out io.Writer) error {
	flags := flag.NewFlagSet("fakegraph", flag.ContinueOnError)
	var (
		dataDir   = flags.String("data", "", "directory of host JSON files (default: the embedded sample)")
		genHosts  = flags.Int("generate-hosts", 0, "serve N generated hosts instead of the sample")
		genPorts  = flags.Int("generate-ports", 100, "ports per generated host")
		seed      = flags.Int64("seed", 1, "seed of the generated data")
		pageSize  = flags.Int("page-size", fakegraph.DefaultPageSize, "server-side page size")
		latency   = flags.Duration("latency", 0, "delay added to every Graph response")
		tokenTTL  = flags.Duration("token-ttl", time.Hour, "lifetime of issued access tokens")
		caOut     = flags.String("ca-out", "", "write the CA certificate (PEM) here (default: a temporary file)")
		envOut    = flags.String("env-out", "", "also write shell export lines for the provider here (ARM_* and SSL_CERT_FILE)")
		writeData = flags.String("write-data", "", "write the dataset to this directory and exit (one JSON file per host)")
	)
	if err := flags.Parse(args); err != nil {
		return err
	}
	if flags.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", flags.Args())
	}

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
		if err := os.WriteFile(*envOut, []byte(exports(s, caPath)), 0o600); err != nil {
			return err
		}
	}

	// One key=value per line, so scripts can read it with grep or read.
	// hosts lists every host id served, comma-separated.
	hosts := data.Hosts()
	if _, err := fmt.Fprintf(out, "url=%s\nca=%s\ntenant_id=%s\nclient_id=%s\nclient_secret=%s\nhost_count=%d\nhosts=%s\n",
		s.URL(), caPath, fakegraph.DefaultTenantID, fakegraph.DefaultClientID, fakegraph.DefaultClientSecret,
		len(hosts), strings.Join(hosts, ",")); err != nil {
		return err
	}

	<-ctx.Done()
	return nil
}

// exports is the -env-out file: the variables that point the provider at
// the emulator, as POSIX shell export lines.
func exports(s *fakegraph.Server, caPath string) string {
	lines := []string{"export DEFENDER_EMULATOR_URL=" + shellQuote(s.URL())}
	for _, variable := range s.ProviderEnvironment(caPath) {
		name, value, _ := strings.Cut(variable, "=")
		lines = append(lines, "export "+name+"="+shellQuote(value))
	}
	return strings.Join(lines, "\n") + "\n"
}

// shellQuote single-quotes a value for POSIX shells.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
