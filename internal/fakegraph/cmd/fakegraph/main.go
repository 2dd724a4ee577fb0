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
	"math"
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
		dataDir   = flags.String("data", "", "directory of host JSON files, one per host as -write-data writes them (default: the embedded sample)")
		genHosts  = flags.Int("generate-hosts", 0, "serve N generated hosts instead of the sample")
		genPorts  = flags.Int("generate-ports", 100, "ports per generated host")
		genAll    = flags.Bool("generate-collections", false, "give generated hosts their entity, reputation, WHOIS (hostnames), 2 certificates and 4 components besides ports")
		seed      = flags.Int64("seed", 1, "seed of the generated data")
		pageSize  = flags.Int("page-size", fakegraph.DefaultPageSize, "server-side page size")
		latency   = flags.Duration("latency", 0, "delay added to every Graph response")
		tokenTTL  = flags.Duration("token-ttl", time.Hour, "lifetime of issued access tokens")
		caOut     = flags.String("ca-out", "", "write the CA certificate (PEM) here (default: a temporary file)")
		envOut    = flags.String("env-out", "", "also write shell export lines for the provider here (ARM_* and SSL_CERT_FILE)")
		writeData = flags.String("write-data", "", "write the dataset to this directory and exit (one JSON file per host)")
		rateLimit = flags.Float64("rate-limit", 0, "answer Graph requests beyond N per second 429, as Graph does (0 = no limit)")
		rateBurst = flags.Int("rate-burst", 0, "requests admitted at once under -rate-limit (0 = one second's worth)")
		noExpand  = flags.Bool("refuse-ssl-certificate-expand", false, "answer $expand=sslCertificate on a host's certificates 400, as Graph may")
		style     fakegraph.RetryAfterStyle
	)
	flags.TextVar(&style, "retry-after", fakegraph.RetryAfterSeconds, "Retry-After of a -rate-limit 429: seconds, date or none")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if flags.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", flags.Args())
	}
	limit, err := rateLimitOf(flags, *rateLimit, *rateBurst, style)
	if err != nil {
		return err
	}

	if *genAll && *genHosts <= 0 {
		return errors.New("-generate-collections only applies with -generate-hosts above 0")
	}
	var data *fakegraph.Dataset
	switch {
	case *genHosts > 0 && *genAll:
		data = fakegraph.GenerateHosts(fakegraph.GenerateOptions{
			Hosts: *genHosts, PortsPerHost: *genPorts, Seed: *seed, SslCertificatesPerHost: 2, ComponentsPerHost: 4,
		})
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

	s, err := fakegraph.Start(fakegraph.Config{
		PageSize: *pageSize, Latency: *latency, TokenTTL: *tokenTTL, Data: data, RateLimit: limit,
		RefuseSslCertificateExpand: *noExpand,
	})
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

// rateLimitOf is the limit the rate flags ask for, nil for none. A burst or
// a Retry-After style without a rate would silently do nothing, so it is
// refused like any other bad value.
func rateLimitOf(flags *flag.FlagSet, rate float64, burst int, style fakegraph.RetryAfterStyle) (*fakegraph.RateLimit, error) {
	switch {
	case math.IsNaN(rate) || math.IsInf(rate, 0) || rate < 0:
		return nil, fmt.Errorf("-rate-limit must be a number of requests per second, 0 for no limit; got %v", rate)
	case burst < 0:
		return nil, fmt.Errorf("-rate-burst must be 0 (one second's worth) or more; got %d", burst)
	case rate == 0:
		var stray []string
		flags.Visit(func(f *flag.Flag) {
			if f.Name == "rate-burst" || f.Name == "retry-after" {
				stray = append(stray, "-"+f.Name)
			}
		})
		if len(stray) > 0 {
			return nil, fmt.Errorf("%s only applies with a -rate-limit above 0", strings.Join(stray, " and "))
		}
		return nil, nil
	}
	return &fakegraph.RateLimit{Rate: rate, Burst: burst, RetryAfter: style}, nil
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
