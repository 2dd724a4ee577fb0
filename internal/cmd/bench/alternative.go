package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
	"github.com/defender-ti/terraform-provider-defender/internal/tfcli"
)

// Without this provider, a configuration reads a host's ports with the http
// data source: a token obtained elsewhere, one data source per page, each
// page's URL the previous page's @odata.nextLink, the bodies decoded with
// jsondecode. The benchmark plans that over the same hosts, on the same
// emulator, so the two can be compared; both report the hosts' open ports,
// which must agree.

const httpProviderSource = "hashicorp/http"

// httpConfiguration is that configuration for hosts of the given number of
// pages. HCL cannot loop until a page has no next link, so it chains as many
// data sources as there are pages.
func httpConfiguration(pages int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `terraform {
  required_providers {
    http = { source = %q }
  }
}

variable "hosts" {
  type = set(string)
}

variable "token" {
  type      = string
  sensitive = true
}

variable "graph" {
  type = string
}

locals {
  headers = { Authorization = "Bearer ${var.token}" }
}

data "http" "page1" {
  for_each        = var.hosts
  url             = "${var.graph}/security/threatIntelligence/hosts/${each.value}/ports"
  request_headers = local.headers
}
`, httpProviderSource)
	var values []string
	for page := 1; page <= pages; page++ {
		if page > 1 {
			fmt.Fprintf(&b, `
data "http" "page%d" {
  for_each        = var.hosts
  url             = jsondecode(data.http.page%d[each.key].body)["@odata.nextLink"]
  request_headers = local.headers
}
`, page, page-1)
		}
		values = append(values, fmt.Sprintf("jsondecode(data.http.page%d[host].body).value", page))
	}
	fmt.Fprintf(&b, `
output "open_ports" {
  value = length(flatten([for host in var.hosts : [
    for port in concat(%s) : port.port if port.status == "open"
  ]]))
}
`, strings.Join(values, ", "))
	return b.String()
}

// prepareHTTPAlternative writes that configuration, its variables (with a
// token issued by the emulator, as if from elsewhere) and a CLI
// configuration serving the http provider from o.httpProviderDir.
func prepareHTTPAlternative(o options, emulator *fakegraph.Server, hosts []string, pages int) (tfcli.Runner, error) {
	dir := filepath.Join(o.work, "http")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return tfcli.Runner{}, err
	}
	variables, err := json.Marshal(map[string]any{
		"hosts": hosts,
		"token": emulator.IssueToken(fakegraph.DefaultTenantID),
		"graph": emulator.URL() + "/v1.0",
	})
	if err != nil {
		return tfcli.Runner{}, err
	}
	for name, content := range map[string][]byte{"main.tf": []byte(httpConfiguration(pages)), "hosts.tfvars.json": variables} {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o600); err != nil {
			return tfcli.Runner{}, err
		}
	}
	caFile, err := filepath.Abs(filepath.Join(o.work, "emulator-ca.pem"))
	if err != nil {
		return tfcli.Runner{}, err
	}
	runner := tfcli.Runner{
		Dir:       dir,
		CLIConfig: filepath.Join(dir, "cli.tfrc"),
		// The http provider trusts the system's roots; Go reads them from
		// SSL_CERT_FILE when it is set.
		Env: []string{"SSL_CERT_FILE=" + caFile},
	}
	return runner, tfcli.WriteDevOverrides(runner.CLIConfig, httpProviderSource, o.httpProviderDir)
}

// alternativeResult is what the http configuration measured with one binary.
type alternativeResult struct {
	binary string
	wall   time.Duration // median over runs
	runs   []runResult
}

func measureHTTPAlternative(ctx context.Context, o options, runner tfcli.Runner, emulator *fakegraph.Server) (alternativeResult, error) {
	a := alternativeResult{binary: filepath.Base(runner.Binary)}
	var err error
	a.runs, a.wall, err = measuredPlans(o, a.binary+` data "http"`, emulator, func() (runResult, error) {
		return runPlan(ctx, runner, o, "hosts.tfvars.json")
	})
	return a, err
}

// worstGraphRequests is the most Graph requests any run made.
func (a alternativeResult) worstGraphRequests() int {
	worst := 0
	for _, one := range a.runs {
		worst = max(worst, one.stats.GraphRequests)
	}
	return worst
}

// printComparison sets each binary's plans with this provider beside its
// plans of the http configuration.
func printComparison(out io.Writer, markdown bool, results []result, alternatives []alternativeResult) {
	header := []string{"binary", "defender_ti_host_ports", "data \"http\" + jsondecode", "speed-up", "Graph requests (provider / http)", "open ports (provider / http)"}
	var rows [][]string
	for i, r := range results {
		a := alternatives[i]
		rows = append(rows, []string{
			r.version, spreadOf(r.runs, wallOf).String(), spreadOf(a.runs, wallOf).String(), fmt.Sprintf("%.2fx", float64(a.wall)/float64(r.wall)),
			fmt.Sprintf("%d / %d", r.worst().stats.GraphRequests, a.worstGraphRequests()),
			fmt.Sprintf("%s / %s", r.medianRun().openPorts, a.runs[0].openPorts),
		})
	}
	printRows(out, markdown, header, rows)
}

// comparisonChecks are the targets against the http configuration: faster,
// no more Graph requests, and the same open ports in every run.
func comparisonChecks(r result, a alternativeResult) []check {
	return []check{
		{a.wall > r.wall, fmt.Sprintf("faster than data \"http\" + jsondecode (%s against %s)", seconds(r.wall), seconds(a.wall))},
		{r.worst().stats.GraphRequests <= a.worstGraphRequests(), fmt.Sprintf("no more Graph requests than data \"http\" (%d against %d)",
			r.worst().stats.GraphRequests, a.worstGraphRequests())},
		{sameOpenPorts(r.runs, a.runs), fmt.Sprintf("the same open ports as data \"http\" in every run (%s)", r.runs[0].openPorts)},
	}
}
