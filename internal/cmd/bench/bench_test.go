package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
)

// TestMain lets this test binary serve as the provider's stand-in too, as
// the benchmark's binary does when Terraform starts it under that name.
func TestMain(m *testing.M) {
	if runningAsProvider() {
		os.Exit(serveAsProvider())
	}
	os.Exit(m.Run())
}

func TestProviderStandInRunsTheProviderAndRecordsItsUsage(t *testing.T) {
	shell, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to stand for the provider")
	}
	dir := t.TempDir()
	env, err := installProviderStandIn(filepath.Join(dir, "provider"), shell, filepath.Join(dir, "usage"))
	if err != nil {
		t.Fatal(err)
	}
	// The stand-in passes its arguments and standard streams on: the
	// "provider" here writes to stdout, burns a little CPU and exits with 3.
	cmd := exec.Command(filepath.Join(dir, "provider", providerBinaryName), "-c",
		`i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; echo handshake; exit 3`)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 3 {
		t.Fatalf("the stand-in ended with %v, want the provider's exit code 3", err)
	}
	if string(out) != "handshake\n" {
		t.Errorf("the stand-in's stdout is %q, want the provider's", out)
	}

	peak, cpu, processes, err := collectProviderUsage(filepath.Join(dir, "usage"))
	if err != nil {
		t.Fatal(err)
	}
	if processes != 1 || peak <= 0 || cpu <= 0 {
		t.Errorf("recorded %d process(es), peak RSS %d bytes, CPU %s; want one process with both above zero", processes, peak, cpu)
	}
	if _, _, again, _ := collectProviderUsage(filepath.Join(dir, "usage")); again != 0 {
		t.Errorf("collecting twice found %d process(es) again; each plan must count its own", again)
	}
}

func TestPlanPhases(t *testing.T) {
	started := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return started.Add(time.Duration(ms) * time.Millisecond) }
	requests := []fakegraph.Request{
		{Origin: fakegraph.OriginEntra, Time: at(100)},
		{Origin: fakegraph.OriginGraph, Time: at(900)},
		{Origin: fakegraph.OriginGraph, Time: at(400)},
		{Origin: fakegraph.OriginGraph, Time: at(650)},
	}
	got, ok := planPhases(started, 1200*time.Millisecond, requests, 50*time.Millisecond)
	want := phases{beforeFirstRequest: 400 * time.Millisecond, reading: 550 * time.Millisecond, afterLastResponse: 250 * time.Millisecond}
	if !ok || got != want {
		t.Errorf("planPhases = %+v, %v; want %+v", got, ok, want)
	}
	if _, ok := planPhases(started, time.Second, requests[:1], 50*time.Millisecond); ok {
		t.Error("a plan without Graph requests has no reading phase")
	}
}

// The http configuration must parse, and chain each page to the one before.
func TestHTTPConfigurationChainsEveryPage(t *testing.T) {
	for _, pages := range []int{1, 3} {
		config := httpConfiguration(pages)
		file, diags := hclsyntax.ParseConfig([]byte(config), "main.tf", hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatalf("%d page(s): %s", pages, diags)
		}
		body, ok := file.Body.(*hclsyntax.Body)
		if !ok {
			t.Fatalf("%d page(s): the parsed body is a %T", pages, file.Body)
		}
		var dataSources []string
		for _, block := range body.Blocks {
			if block.Type != "data" {
				continue
			}
			dataSources = append(dataSources, block.Labels[0]+"."+block.Labels[1])
			url := string(block.Body.Attributes["url"].Expr.Range().SliceBytes([]byte(config)))
			page, _ := strconv.Atoi(strings.TrimPrefix(block.Labels[1], "page"))
			if previous := fmt.Sprintf("data.http.page%d[each.key].body", page-1); page > 1 && !strings.Contains(url, previous) {
				t.Errorf("%d page(s): page %d's url is %s, want the next link of %s", pages, page, url, previous)
			}
		}
		if len(dataSources) != pages {
			t.Errorf("%d page(s): data sources %v, want one per page", pages, dataSources)
		}
		output := config[strings.Index(config, `output "open_ports"`):]
		for page := 1; page <= pages; page++ {
			if !strings.Contains(output, fmt.Sprintf("data.http.page%d[host].body", page)) {
				t.Errorf("%d page(s): the output leaves out page %d", pages, page)
			}
		}
	}
}
