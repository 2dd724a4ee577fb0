package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
)

// started runs the command with args until the test ends and returns the
// key=value lines it printed.
func started(t *testing.T, args ...string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	reader, writer := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, args, writer)
		writer.CloseWithError(err)
		done <- err
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("fakegraph ended with %v", err)
		}
	})

	printed := map[string]string{}
	lines := bufio.NewScanner(reader)
	lines.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for lines.Scan() {
		key, value, ok := strings.Cut(lines.Text(), "=")
		if !ok {
			t.Fatalf("printed %q, not a key=value line", lines.Text())
		}
		printed[key] = value
		if key == "hosts" {
			// The last line; the command then serves until cancelled.
			go func() { _, _ = io.Copy(io.Discard, reader) }()
			return printed
		}
	}
	t.Fatalf("the command ended before printing its hosts: %v (printed %v)", lines.Err(), printed)
	return nil
}

func TestPrintsWhatAClientNeedsAndTheSampleHosts(t *testing.T) {
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	printed := started(t, "-ca-out", caFile)

	want := map[string]string{
		"ca":            caFile,
		"tenant_id":     fakegraph.DefaultTenantID,
		"client_id":     fakegraph.DefaultClientID,
		"client_secret": fakegraph.DefaultClientSecret,
		"host_count":    "5",
		"hosts":         "198.51.100.10,8.8.8.8,contoso.com,empty.example.org,scan.example.net",
	}
	for key, value := range want {
		if printed[key] != value {
			t.Errorf("%s=%q, want %q", key, printed[key], value)
		}
	}
	if len(printed) != len(want)+1 || !strings.HasPrefix(printed["url"], "https://127.0.0.1:") {
		t.Errorf("printed %v; want %v and the emulator's https url", printed, want)
	}
	// The hosts printed are the hosts served: each answers its ports.
	client := trusting(t, caFile)
	token := signIn(t, client, printed["url"], printed["tenant_id"], printed["client_id"], printed["client_secret"])
	for _, host := range strings.Split(printed["hosts"], ",") {
		if got := portCount(t, client, printed["url"], token, host); got != fakegraph.SampleData().PortCount(host) {
			t.Errorf("%s: the emulator lists %d ports, the sample holds %d", host, got, fakegraph.SampleData().PortCount(host))
		}
	}
}

func TestPrintsTheGeneratedHosts(t *testing.T) {
	printed := started(t, "-generate-hosts", "3", "-generate-ports", "2")
	want := strings.Join(fakegraph.Generate(3, 2, 1).Hosts(), ",")
	if printed["hosts"] != want || printed["host_count"] != "3" {
		t.Errorf("host_count=%s hosts=%s, want 3 and %s", printed["host_count"], printed["hosts"], want)
	}
}

// TestEnvOutIsWhatTheProviderNeeds sources the -env-out file in a shell, as
// README says, and reaches the emulator with nothing but what it exported.
func TestEnvOutIsWhatTheProviderNeeds(t *testing.T) {
	shell, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to source the file with")
	}
	envFile := filepath.Join(t.TempDir(), "fakegraph.env")
	printed := started(t, "-env-out", envFile)

	out, err := exec.Command(shell, "-c", `. "$1" && env`, "sh", envFile).Output()
	if err != nil {
		t.Fatalf("sourcing %s: %v", envFile, err)
	}
	exported := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if name, value, ok := strings.Cut(line, "="); ok {
			exported[name] = value
		}
	}
	want := map[string]string{
		"DEFENDER_EMULATOR_URL":          printed["url"],
		"ARM_TENANT_ID":                  fakegraph.DefaultTenantID,
		"ARM_CLIENT_ID":                  fakegraph.DefaultClientID,
		"ARM_CLIENT_SECRET":              fakegraph.DefaultClientSecret,
		"ARM_GRAPH_ENDPOINT":             printed["url"],
		"ARM_AUTHORITY_HOST":             printed["url"],
		"ARM_DISABLE_INSTANCE_DISCOVERY": "true",
		"SSL_CERT_FILE":                  printed["ca"],
	}
	for name, value := range want {
		if exported[name] != value {
			t.Errorf("%s=%q after sourcing, want %q", name, exported[name], value)
		}
	}
	client := trusting(t, exported["SSL_CERT_FILE"])
	token := signIn(t, client, exported["ARM_AUTHORITY_HOST"], exported["ARM_TENANT_ID"], exported["ARM_CLIENT_ID"], exported["ARM_CLIENT_SECRET"])
	if got := portCount(t, client, exported["ARM_GRAPH_ENDPOINT"], token, "contoso.com"); got != 7 {
		t.Errorf("contoso.com has %d ports, want the sample's 7", got)
	}
}

// -refuse-ssl-certificate-expand reaches the emulator: the expansion is a
// 400, the same list without it is served.
func TestRefuseSslCertificateExpandFlag(t *testing.T) {
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	printed := started(t, "-ca-out", caFile, "-refuse-ssl-certificate-expand")
	client := trusting(t, caFile)
	token := signIn(t, client, printed["url"], printed["tenant_id"], printed["client_id"], printed["client_secret"])
	list := printed["url"] + "/v1.0/security/threatIntelligence/hosts/contoso.com/sslCertificates"
	for query, want := range map[string]int{"": http.StatusOK, "?$expand=sslCertificate": http.StatusBadRequest} {
		req, err := http.NewRequest(http.MethodGet, list+query, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%q: HTTP %d, want %d", query, resp.StatusCode, want)
		}
	}
}

// -generate-collections writes hosts with every collection GenerateHosts
// builds, in the format -data reads back.
func TestGenerateCollectionsWritesEveryKey(t *testing.T) {
	dir := t.TempDir()
	if err := run(t.Context(), []string{"-generate-hosts", "2", "-generate-ports", "1", "-generate-collections", "-write-data", dir}, io.Discard); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "h0001.example.com.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file map[string]json.RawMessage
	if err := json.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"hostId", "host", "ports", "reputation", "sslCertificates", "components", "whois"} {
		if _, ok := file[key]; !ok {
			t.Errorf("no %q in %s", key, b)
		}
	}
	if _, err := fakegraph.LoadDir(dir); err != nil {
		t.Errorf("-data cannot read what -write-data wrote: %v", err)
	}
	if err := run(t.Context(), []string{"-generate-collections"}, io.Discard); err == nil || !strings.Contains(err.Error(), "-generate-hosts") {
		t.Errorf("-generate-collections alone: %v", err)
	}
}

func TestRejectsStrayArguments(t *testing.T) {
	err := run(t.Context(), []string{"contoso.com"}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), `unexpected arguments ["contoso.com"]`) {
		t.Errorf("run with a stray argument: %v", err)
	}
}

// The rate flags reach the emulator: -rate-burst requests are admitted, the
// next is answered 429 with the -retry-after style asked for.
func TestRateLimitFlags(t *testing.T) {
	for _, tc := range []struct {
		style      string
		retryAfter func(value string, sent time.Time) bool
	}{
		{"seconds", func(v string, _ time.Time) bool { n, err := strconv.Atoi(v); return err == nil && n >= 1 && n <= 5 }},
		{"date", func(v string, sent time.Time) bool {
			at, err := http.ParseTime(v)
			return err == nil && at.After(sent) && at.Before(sent.Add(6*time.Second))
		}},
		{"none", func(v string, _ time.Time) bool { return v == "" }},
	} {
		t.Run(tc.style, func(t *testing.T) {
			caFile := filepath.Join(t.TempDir(), "ca.pem")
			// A token every 5s: none comes back while the test runs.
			printed := started(t, "-ca-out", caFile, "-rate-limit", "0.2", "-rate-burst", "2", "-retry-after", tc.style)
			client := trusting(t, caFile)
			token := signIn(t, client, printed["url"], printed["tenant_id"], printed["client_id"], printed["client_secret"])
			var statuses []int
			for range 3 {
				sent := time.Now()
				status, header := listOnce(t, client, printed["url"], token, "8.8.8.8")
				statuses = append(statuses, status)
				if status == http.StatusTooManyRequests && !tc.retryAfter(header.Get("Retry-After"), sent) {
					t.Errorf("-retry-after %s: Retry-After %q", tc.style, header.Values("Retry-After"))
				}
			}
			if want := []int{200, 200, 429}; !slices.Equal(statuses, want) {
				t.Errorf("statuses %v, want %v", statuses, want)
			}
		})
	}
}

func TestRejectsBadRateFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-rate-limit", "-1"}, "-rate-limit must be a number of requests per second"},
		{[]string{"-rate-limit", "NaN"}, "-rate-limit must be a number of requests per second"},
		{[]string{"-rate-limit", "+Inf"}, "-rate-limit must be a number of requests per second"},
		{[]string{"-rate-limit", "fast"}, `invalid value "fast" for flag -rate-limit`},
		{[]string{"-rate-limit", "5", "-rate-burst", "-2"}, "-rate-burst must be 0 (one second's worth) or more"},
		{[]string{"-rate-limit", "5", "-retry-after", "soon"}, `invalid value "soon" for flag -retry-after: unknown Retry-After style "soon": want seconds, date or none`},
		{[]string{"-rate-burst", "3"}, "-rate-burst only applies with a -rate-limit above 0"},
		{[]string{"-rate-limit", "0", "-retry-after", "date"}, "-retry-after only applies with a -rate-limit above 0"},
	} {
		err := run(t.Context(), tc.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error containing %q", tc.args, err, tc.want)
		}
	}
}

// trusting is an HTTP client that trusts only the CA in caFile.
func trusting(t *testing.T, caFile string) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		t.Fatalf("%s holds no certificate", caFile)
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
}

// signIn asks the emulator's Entra ID for a Graph token by client secret.
func signIn(t *testing.T, client *http.Client, authority, tenant, clientID, secret string) string {
	t.Helper()
	resp, err := client.PostForm(authority+"/"+tenant+"/oauth2/v2.0/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret},
		"scope": {authority + "/.default"},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK || body.AccessToken == "" {
		t.Fatalf("token request: HTTP %d, %v", resp.StatusCode, err)
	}
	return body.AccessToken
}

// portCount lists a host's ports, following nextLink.
func portCount(t *testing.T, client *http.Client, graph, token, host string) int {
	t.Helper()
	count := 0
	next := graph + "/v1.0/security/threatIntelligence/hosts/" + url.PathEscape(host) + "/ports"
	for next != "" {
		req, err := http.NewRequest(http.MethodGet, next, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			Value    []json.RawMessage
			NextLink string `json:"@odata.nextLink"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("listing %s: HTTP %d, %v", host, resp.StatusCode, err)
		}
		count += len(page.Value)
		next = page.NextLink
	}
	return count
}

// listOnce asks for a host's first page of ports and returns the status
// and headers.
func listOnce(t *testing.T, client *http.Client, graph, token, host string) (int, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, graph+"/v1.0/security/threatIntelligence/hosts/"+url.PathEscape(host)+"/ports", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header
}

// README points readers at -help: it lists the flags and exits 0.
func TestHelpListsTheFlagsAndSucceeds(t *testing.T) {
	binary := filepath.Join(t.TempDir(), "fakegraph")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		t.Fatalf("building the command: %v\n%s", err, out)
	}
	out, err := exec.Command(binary, "-help").CombinedOutput()
	if err != nil {
		t.Fatalf("-help: %v\n%s", err, out)
	}
	for _, flagName := range []string{"-env-out", "-generate-hosts", "-generate-collections", "-latency", "-rate-limit", "-rate-burst", "-retry-after", "-refuse-ssl-certificate-expand"} {
		if !strings.Contains(string(out), flagName) {
			t.Errorf("-help does not list %s:\n%s", flagName, out)
		}
	}
}
