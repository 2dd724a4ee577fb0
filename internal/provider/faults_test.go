package provider

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
)

// hostRequests returns the Graph requests in log for one host's ports, in
// the order they arrived.
func hostRequests(log []fakegraph.Request, hostID string) []fakegraph.Request {
	var matched []fakegraph.Request
	for _, r := range log {
		if r.Origin == fakegraph.OriginGraph && strings.Contains(r.Path, "/hosts/"+hostID+"/ports") {
			matched = append(matched, r)
		}
	}
	return matched
}

func statuses(requests []fakegraph.Request) []int {
	codes := make([]int, len(requests))
	for i, r := range requests {
		codes[i] = r.Status
	}
	return codes
}

// retryGap returns how long after the first answer with status the next
// request for the same page arrived.
func retryGap(requests []fakegraph.Request, status int) (time.Duration, error) {
	for i, r := range requests {
		if r.Status != status {
			continue
		}
		for _, next := range requests[i+1:] {
			if next.Path == r.Path && next.RawQuery == r.RawQuery {
				return next.Time.Sub(r.Time), nil
			}
		}
		return 0, fmt.Errorf("the %d for %s was never retried: %v", status, r.Path, statuses(requests))
	}
	return 0, fmt.Errorf("no %d was served: %v", status, statuses(requests))
}

// pagingHostCheck returns a data source block that reads every page of the
// paging host but keeps only its first and last port (the first is on page
// 1, the last on page 3), so state stays small: 250 ports in state cost
// seconds per Terraform command. The checks prove all pages were merged.
func pagingHostCheck(t *testing.T, env *emulatorEnv, name string) (string, resource.TestCheckFunc) {
	t.Helper()
	var ports []int
	for _, id := range env.emulator.Data().PortIDs(fakegraph.SamplePagingHost) {
		raw, ok := env.emulator.Data().HostPortJSON(id)
		var hostPort struct{ Port int }
		if !ok || json.Unmarshal(raw, &hostPort) != nil {
			t.Fatalf("reading port %s of the paging host from the dataset", id)
		}
		ports = append(ports, hostPort.Port)
	}
	slices.Sort(ports)
	if len(ports) != 250 {
		t.Fatalf("the paging host has %d ports, want 250", len(ports))
	}
	first, last := fmt.Sprint(ports[0]), fmt.Sprint(ports[len(ports)-1])
	address := "data.defender_ti_host_ports." + name
	return `
data "defender_ti_host_ports" "` + name + `" {
  host_id       = "` + fakegraph.SamplePagingHost + `"
  include_count = true
  filter        = { ports = [` + first + `, ` + last + `] }
}`, resource.ComposeAggregateTestCheckFunc(
			resource.TestCheckResourceAttr(address, "total_count", "250"),
			resource.TestCheckResourceAttr(address, "ports.#", "2"),
			resource.TestCheckResourceAttr(address, "ports.0.port", first),
			resource.TestCheckResourceAttr(address, "ports.1.port", last),
		)
}

// TestFaultsFractionalRetryAfter throttles one read with a Retry-After of
// 0.3 s. A Retry-After the client ignored would be replaced by azcore's first
// back-off of 0.8 s to 1.3 s, so the retry must come clearly under it.
func TestFaultsFractionalRetryAfter(t *testing.T) {
	env := newEmulatorEnv(t, fakegraph.Config{})
	env.emulator.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Host: "contoso.com", Kind: fakegraph.KindThrottle, RetryAfter: "0.3"})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock() + `
data "defender_ti_host_ports" "test" {
  host_id = "contoso.com"
}`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("data.defender_ti_host_ports.test", "ports.#", "7"),
				func(*terraform.State) error {
					gap, err := retryGap(hostRequests(env.emulator.Requests(), "contoso.com"), http.StatusTooManyRequests)
					if err != nil {
						return err
					}
					if gap < 300*time.Millisecond || gap >= 800*time.Millisecond {
						return fmt.Errorf("retried %s after the 429, want at least 300ms and below 800ms", gap)
					}
					return nil
				},
			),
		}},
	})
}

// TestFaultsRetriedThenSucceed reads five hosts at once, each meeting a
// different transient fault on its first read: 429 with Retry-After in whole
// seconds, in fractional seconds and as an HTTP date, a burst of 503s, and
// 504s in the middle of paging (with and without Retry-After). Every read
// must succeed, and the emulator's log must show the retries honouring the
// server's delay.
func TestFaultsRetriedThenSucceed(t *testing.T) {
	env := newEmulatorEnv(t, fakegraph.Config{})
	retryAt := time.Now().Add(3 * time.Second).UTC().Truncate(time.Second)
	env.emulator.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Host: "8.8.8.8", Kind: fakegraph.KindThrottle, RetryAfter: "1"})
	env.emulator.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Host: "contoso.com", Kind: fakegraph.KindThrottle, RetryAfter: "0.3"})
	env.emulator.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Host: "198.51.100.10", Kind: fakegraph.KindThrottle, RetryAfter: retryAt.Format(http.TimeFormat)})
	env.emulator.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Host: "empty.example.org", Kind: fakegraph.KindServiceUnavailable, RetryAfter: "0.1", Times: 3})
	// Page 2 of the paging host: two 504s with Retry-After; page 3: one
	// without, so the client's own back-off applies.
	env.emulator.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Host: fakegraph.SamplePagingHost, Kind: fakegraph.KindGatewayTimeout, RetryAfter: "0.1", Nth: 2, Times: 2})
	env.emulator.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Host: fakegraph.SamplePagingHost, Kind: fakegraph.KindGatewayTimeout, Nth: 5})

	each := func(i int) string { return fmt.Sprintf("data.defender_ti_host_ports.each.%d", i) }
	pagingConfig, pagingChecks := pagingHostCheck(t, env, "paging")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock() + `
locals {
  hosts = ["8.8.8.8", "contoso.com", "198.51.100.10", "empty.example.org"]
}
data "defender_ti_host_ports" "each" {
  count   = length(local.hosts)
  host_id = local.hosts[count.index]
}` + pagingConfig,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(each(0), "open_ports.0", "443"),
				resource.TestCheckResourceAttr(each(1), "ports.#", "7"),
				resource.TestCheckResourceAttr(each(2), "ports.#", "2"),
				pagingChecks,
				func(*terraform.State) error {
					log := env.emulator.Requests()
					var problems []string
					expect := func(hostID string, status int, atLeast, below time.Duration) {
						gap, err := retryGap(hostRequests(log, hostID), status)
						switch {
						case err != nil:
							problems = append(problems, fmt.Sprintf("%s: %v", hostID, err))
						case gap < atLeast || (below > 0 && gap >= below):
							problems = append(problems, fmt.Sprintf("%s: retried %s after the %d, want at least %s and below %s", hostID, gap, status, atLeast, below))
						}
					}
					// Throttling is shared by every read, so a host may wait
					// out another host's longer Retry-After as well as its
					// own: only the lower bounds hold here.
					// TestFaultsFractionalRetryAfter bounds a fractional one
					// from above, alone.
					expect("8.8.8.8", http.StatusTooManyRequests, time.Second, 0)
					expect("contoso.com", http.StatusTooManyRequests, 300*time.Millisecond, 0)
					expect("empty.example.org", http.StatusServiceUnavailable, 100*time.Millisecond, 0)
					expect(fakegraph.SamplePagingHost, http.StatusGatewayTimeout, 100*time.Millisecond, 0)

					dated := hostRequests(log, "198.51.100.10")
					if len(dated) < 2 || dated[0].Status != http.StatusTooManyRequests {
						problems = append(problems, fmt.Sprintf("198.51.100.10: want a 429 then a retry, got %v", statuses(dated)))
					} else if dated[0].Time.Before(retryAt) && dated[1].Time.Before(retryAt) {
						problems = append(problems, fmt.Sprintf("198.51.100.10: retried at %s, before the Retry-After date %s",
							dated[1].Time.UTC().Format(time.RFC3339Nano), retryAt.Format(time.RFC3339)))
					}

					// The 503 burst: three 503s, then the answer.
					if got := statuses(hostRequests(log, "empty.example.org")); len(got) < 4 ||
						fmt.Sprint(got[:4]) != fmt.Sprint([]int{503, 503, 503, 200}) {
						problems = append(problems, fmt.Sprintf("empty.example.org: statuses %v, want 503 503 503 200 first", got))
					}
					// Retrying a page fetches that page again, never page 1.
					paging := hostRequests(log, fakegraph.SamplePagingHost)
					if got := statuses(paging); len(got) < 6 || fmt.Sprint(got[:6]) != fmt.Sprint([]int{200, 504, 504, 200, 504, 200}) {
						problems = append(problems, fmt.Sprintf("%s: statuses %v, want 200 504 504 200 504 200 first", fakegraph.SamplePagingHost, got))
					} else if paging[1].RawQuery != paging[3].RawQuery || paging[4].RawQuery != paging[5].RawQuery || paging[3].RawQuery == paging[5].RawQuery {
						problems = append(problems, fmt.Sprintf("%s: retries did not repeat their own page: %q", fakegraph.SamplePagingHost,
							[]string{paging[1].RawQuery, paging[3].RawQuery, paging[4].RawQuery, paging[5].RawQuery}))
					}
					if len(problems) > 0 {
						return fmt.Errorf("%s", strings.Join(problems, "\n"))
					}
					return nil
				},
			),
			ConfigStateChecks: []statecheck.StateCheck{
				// empty.example.org, after its 503s, has no ports: an empty list, not null.
				statecheck.ExpectKnownValue("data.defender_ti_host_ports.each[3]", tfjsonpath.New("ports"), knownvalue.ListExact([]knownvalue.Check{})),
			},
		}},
	})
}

// faultCase is one fault that must end a read with one clear error.
type faultCase struct {
	name string
	// provider holds extra provider attributes, such as max_retries.
	provider []string
	hostID   string
	faults   []fakegraph.Fault
	// wantError matches Terraform's output of the failed plan.
	wantError string
	// verify checks the emulator's log of this case alone.
	verify func(t *testing.T, log []fakegraph.Request)
}

// wantRequests checks how many requests reached the host, all with status.
func wantRequests(hostID string, n, status int) func(*testing.T, []fakegraph.Request) {
	return func(t *testing.T, log []fakegraph.Request) {
		t.Helper()
		got := statuses(hostRequests(log, hostID))
		if len(got) != n {
			t.Errorf("%d requests for %s (statuses %v), want %d", len(got), hostID, got, n)
		}
		for _, s := range got {
			if s != status {
				t.Errorf("statuses %v, want all %d", got, status)
				break
			}
		}
	}
}

// wrappedRegexp compiles pattern so that each space in it also matches the
// line breaks Terraform inserts when it wraps a diagnostic to the terminal.
func wrappedRegexp(pattern string) *regexp.Regexp {
	return regexp.MustCompile(strings.ReplaceAll(pattern, " ", `\s+`))
}

const requestID = `request-id: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`

// TestFaultsEndInOneClearError drives each failure through a real plan: the
// plan fails with an error naming the host and what went wrong, the
// emulator's log shows what was (and was not) sent, no request of any kind
// reaches the foreign origin, and a clean read afterwards works. A failed
// plan writes no state, so a half-read host never lands in state.
func TestFaultsEndInOneClearError(t *testing.T) {
	env := newEmulatorEnv(t, fakegraph.Config{})
	paging := fakegraph.SamplePagingHost
	cases := []faultCase{{
		// A 429 spends no retry: the request is sent again and again until
		// Graph has throttled for longer than throttle_timeout.
		name:     "429 beyond throttle_timeout",
		provider: []string{"max_retries = 2", `throttle_timeout = "2s"`},
		hostID:   "8.8.8.8",
		faults:   []fakegraph.Fault{{Route: fakegraph.RouteList, Kind: fakegraph.KindThrottle, RetryAfter: "0.1", Times: -1}},
		wantError: `(?s)Throttled By Microsoft Graph.*"8\.8\.8\.8".*429 for 2s, longer than the 2s throttling timeout.*` +
			`HTTP 429 Too Many Requests, Graph error code "TooManyRequests".*` + requestID + `.*Retry-After: 0\.1.*throttle_timeout`,
		verify: func(t *testing.T, log []fakegraph.Request) {
			got := hostRequests(log, "8.8.8.8")
			// max_retries = 2 would allow 3; the Retry-After of 0.1 s and
			// the pacing after it allow about one every 0.3 s.
			if len(got) < 5 {
				t.Errorf("%d requests for 8.8.8.8, want more than the 3 that max_retries allows: the 429s spent retries", len(got))
			}
			for _, r := range got {
				if r.Status != http.StatusTooManyRequests {
					t.Errorf("statuses %v, want all 429", statuses(got))
					break
				}
			}
			if took := got[len(got)-1].Time.Sub(got[0].Time); took > 3*time.Second {
				t.Errorf("the requests went on for %s, want the read to end once 2 s of throttling had passed", took)
			}
		},
	}, {
		name:      "503 until retries run out",
		provider:  []string{"max_retries = 1"},
		hostID:    "contoso.com",
		faults:    []fakegraph.Fault{{Route: fakegraph.RouteList, Kind: fakegraph.KindServiceUnavailable, RetryAfter: "0.1", Times: -1}},
		wantError: `(?s)Unable To Read Host Ports.*"contoso\.com".*HTTP 503 Service Unavailable, Graph error code "serviceNotAvailable".*` + requestID,
		verify:    wantRequests("contoso.com", 2, http.StatusServiceUnavailable),
	}, {
		name:      "latency beyond request_timeout",
		provider:  []string{`request_timeout = "1s"`, "max_retries = 0"},
		hostID:    "8.8.8.8",
		faults:    []fakegraph.Fault{{Route: fakegraph.RouteList, Kind: fakegraph.KindLatency, Latency: 10 * time.Second, Times: -1}},
		wantError: `(?s)Microsoft Graph Request Timed Out.*"8\.8\.8\.8".*timed out: no complete answer within 1s, on its only attempt.*request_timeout`,
		verify: func(t *testing.T, log []fakegraph.Request) {
			if got := hostRequests(log, "8.8.8.8"); len(got) != 1 || got[0].Status != 0 {
				t.Errorf("want one request abandoned before any answer, got statuses %v", statuses(got))
			}
		},
	}, {
		name:      "connection reset mid-body",
		provider:  []string{"max_retries = 0"},
		hostID:    "8.8.8.8",
		faults:    []fakegraph.Fault{{Route: fakegraph.RouteList, Kind: fakegraph.KindResetMidBody}},
		wantError: `(?s)Unable To Read Host Ports.*"8\.8\.8\.8".*reading page 1 of Graph's answer failed \(HTTP 200, ` + requestID + `\)`,
		verify:    wantRequests("8.8.8.8", 1, http.StatusOK),
	}, {
		// Page 1 is fine and page 2 is cut: the first 100 ports must not
		// become the answer.
		name:      "truncated JSON on page 2",
		hostID:    paging,
		faults:    []fakegraph.Fault{{Route: fakegraph.RouteList, Kind: fakegraph.KindTruncatedJSON, Nth: 2}},
		wantError: `(?s)Unable To Read Host Ports.*"scan\.example\.net".*reading page 2 of Graph's answer failed \(HTTP 200, ` + requestID + `\)`,
		verify:    wantRequests(paging, 2, http.StatusOK),
	}, {
		name:      "invalid JSON",
		hostID:    "contoso.com",
		faults:    []fakegraph.Fault{{Route: fakegraph.RouteList, Kind: fakegraph.KindInvalidJSON}},
		wantError: `(?s)Unable To Read Host Ports.*"contoso\.com".*reading page 1 of Graph's answer failed \(HTTP 200, ` + requestID + `\)`,
		verify:    wantRequests("contoso.com", 1, http.StatusOK),
	}, {
		name:      "HTML error page from a proxy",
		provider:  []string{"max_retries = 1"},
		hostID:    "8.8.8.8",
		faults:    []fakegraph.Fault{{Route: fakegraph.RouteList, Kind: fakegraph.KindHTMLError, RetryAfter: "0.1", Times: -1}},
		wantError: `(?s)Unable To Read Host Ports.*"8\.8\.8\.8".*HTTP 502 Bad Gateway; response body begins .*502 Bad Gateway.*corporate-proxy.*` + requestID,
		verify:    wantRequests("8.8.8.8", 2, http.StatusBadGateway),
	}, {
		name:      "empty body with 500",
		provider:  []string{"max_retries = 0"},
		hostID:    "8.8.8.8",
		faults:    []fakegraph.Fault{{Route: fakegraph.RouteList, Kind: fakegraph.KindEmptyBody500, Times: -1}},
		wantError: `(?s)Unable To Read Host Ports.*"8\.8\.8\.8".*HTTP 500 Internal Server Error; the response body was empty.*` + requestID,
		verify:    wantRequests("8.8.8.8", 1, http.StatusInternalServerError),
	}, {
		name:      "nextLink to another host",
		hostID:    "8.8.8.8",
		faults:    []fakegraph.Fault{{Route: fakegraph.RouteList, Kind: fakegraph.KindForeignNextLink}},
		wantError: `(?s)Unable To Read Host Ports.*"8\.8\.8\.8".*refused to follow @odata\.nextLink https://localhost:[0-9]+/.*bearer token`,
		verify:    wantRequests("8.8.8.8", 1, http.StatusOK),
	}, {
		name:      "nextLink over http",
		hostID:    "8.8.8.8",
		faults:    []fakegraph.Fault{{Route: fakegraph.RouteList, Kind: fakegraph.KindHTTPNextLink}},
		wantError: `(?s)Unable To Read Host Ports.*"8\.8\.8\.8".*refused to follow @odata\.nextLink http://127\.0\.0\.1:[0-9]+/.*bearer token`,
		verify:    wantRequests("8.8.8.8", 1, http.StatusOK),
	}, {
		name:      "redirect to another host",
		hostID:    "8.8.8.8",
		faults:    []fakegraph.Fault{{Route: fakegraph.RouteList, Kind: fakegraph.KindRedirectForeign, Times: -1}},
		wantError: `(?s)Unable To Read Host Ports.*"8\.8\.8\.8".*refused a redirect from https://127\.0\.0\.1:[0-9]+ to https://localhost:[0-9]+`,
		verify:    wantRequests("8.8.8.8", 1, http.StatusFound),
	}, {
		name:      "looping nextLink",
		hostID:    "contoso.com",
		faults:    []fakegraph.Fault{{Route: fakegraph.RouteList, Kind: fakegraph.KindLoopingNextLink, Times: -1}},
		wantError: `(?s)Unable To Read Host Ports.*"contoso\.com".*links back to a page already fetched`,
		verify:    wantRequests("contoso.com", 1, http.StatusOK),
	}}

	logs := make([][]fakegraph.Request, len(cases))
	// arm ends the previous case (keeping its log) and sets up the next.
	arm := func(finished int, faults []fakegraph.Fault) func() {
		return func() {
			if finished >= 0 {
				logs[finished] = env.emulator.Requests()
			}
			env.emulator.ClearFaults()
			env.emulator.ResetLog()
			for _, f := range faults {
				env.emulator.AddFault(f)
			}
		}
	}
	var steps []resource.TestStep
	for i, c := range cases {
		steps = append(steps, resource.TestStep{
			PreConfig: arm(i-1, c.faults),
			Config: env.providerBlock(c.provider...) + `
data "defender_ti_host_ports" "test" {
  host_id = "` + c.hostID + `"
}`,
			ExpectError: wrappedRegexp(c.wantError),
		})
	}
	// With the faults gone, the same provider reads every page of the host
	// that failed on page 2.
	pagingConfig, pagingChecks := pagingHostCheck(t, env, "test")
	steps = append(steps, resource.TestStep{
		PreConfig: arm(len(cases)-1, nil),
		Config:    env.providerBlock() + pagingConfig,
		Check:     pagingChecks,
	})
	resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: env.factories(), Steps: steps})

	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			log := logs[i]
			if len(log) == 0 {
				t.Fatal("no requests were logged for this case")
			}
			for _, r := range log {
				if r.Origin == fakegraph.OriginForeign {
					t.Errorf("a request reached the foreign origin (bearer token attached: %t): %s %s?%s", r.Bearer, r.Method, r.Path, r.RawQuery)
				}
				if r.Origin == fakegraph.OriginGraph && !r.Bearer {
					t.Errorf("a Graph request went without a bearer token: %s", r.Path)
				}
			}
			c.verify(t, log)
		})
	}
}
