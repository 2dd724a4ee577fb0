package graph

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph/fakegraphtest"
)

func TestNewClientValidatesOptions(t *testing.T) {
	cred := &staticCredential{}
	for name, tc := range map[string]struct {
		opts Options
		want string
	}{
		"no credential":       {Options{}, "a credential is required"},
		"plain http":          {Options{Credential: cred, Endpoint: "http://graph.microsoft.com"}, "only https is allowed"},
		"no scheme":           {Options{Credential: cred, Endpoint: "graph.microsoft.com"}, "must be an absolute https URL"},
		"other scheme":        {Options{Credential: cred, Endpoint: "ftp://graph.microsoft.com"}, "must be an absolute https URL"},
		"credentials in URL":  {Options{Credential: cred, Endpoint: "https://u:p@graph.microsoft.com"}, "must not carry credentials"},
		"query":               {Options{Credential: cred, Endpoint: "https://graph.microsoft.com?x=1"}, "must not carry"},
		"fragment":            {Options{Credential: cred, Endpoint: "https://graph.microsoft.com#x"}, "must not carry"},
		"not a URL":           {Options{Credential: cred, Endpoint: "https://graph microsoft.com/%zz"}, "is not a URL"},
		"unknown API version": {Options{Credential: cred, APIVersion: "v2.0"}, `API version "v2.0" is not one of v1.0, beta`},
	} {
		if c, err := NewClient(tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, %v; want an error containing %q", name, c, err, tc.want)
		}
	}
	for _, ok := range []string{"https://graph.microsoft.com", "https://graph.microsoft.us/", "http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9"} {
		if err := ValidateEndpoint(ok); err != nil {
			t.Errorf("ValidateEndpoint(%q) = %v", ok, err)
		}
	}
	if _, err := NewClient(Options{Credential: cred}); err != nil {
		t.Errorf("defaults: %v", err)
	}
}

func TestBetaAndTrailingSlashEndpoint(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{})
	opts := testOptions(t, s)
	opts.Endpoint = s.URL() + "/"
	opts.APIVersion = "beta"
	opts.Credential = secretCredential(t, s, opts.Transport)
	c := newClient(t, opts)
	if _, err := c.ListHostPorts(context.Background(), "8.8.8.8", QueryOptions{}); err != nil {
		t.Fatal(err)
	}
	if r := graphRequests(s); len(r) != 1 || r[0].Path != "/beta/security/threatIntelligence/hosts/8.8.8.8/ports" {
		t.Errorf("requests %+v", r)
	}
	var scopes []string
	for _, r := range requestsFrom(s, fakegraph.OriginEntra) {
		if r.Method == http.MethodPost {
			scopes = append(scopes, r.Scope)
		}
	}
	if len(scopes) != 1 || !strings.HasPrefix(scopes[0], s.URL()+"/.default") {
		t.Errorf("token scopes %q, want %s/.default", scopes, s.URL())
	}
}

func TestRequestHeaders(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{})
	for _, tc := range []struct{ userAgent, want string }{
		{"", "terraform-provider-defender"},
		{"terraform-provider-defender/1.2.3 terraform/1.5.7", "terraform-provider-defender/1.2.3 terraform/1.5.7"},
	} {
		opts := testOptions(t, s)
		cred := &staticCredential{s: s}
		opts.Credential = cred
		opts.UserAgent = tc.userAgent
		rec := &recordingTransport{next: opts.Transport}
		opts.Transport = rec
		s.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Kind: fakegraph.KindThrottle, RetryAfter: "0"})
		c := newClient(t, opts)
		if _, err := c.ListHostPorts(context.Background(), "8.8.8.8", QueryOptions{}); err != nil {
			t.Fatal(err)
		}
		ex := rec.exchanges()
		if len(ex) != 2 {
			t.Fatalf("%d exchanges, want 2 (a retry)", len(ex))
		}
		for i, e := range ex {
			if got := e.header.Values("User-Agent"); len(got) != 1 || got[0] != tc.want {
				t.Errorf("attempt %d: User-Agent %q, want %q", i, got, tc.want)
			}
			if got := e.header.Get("Accept"); got != "application/json" {
				t.Errorf("attempt %d: Accept %q", i, got)
			}
			if got, toks := e.header.Get("Authorization"), cred.tokens(); len(toks) != 1 || got != "Bearer "+toks[0] {
				t.Errorf("attempt %d: Authorization %q", i, got)
			}
		}
	}
}

type logLine struct {
	msg    string
	fields map[string]any
}

func TestLogHookReportsEveryAttemptWithoutSecrets(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{})
	opts := testOptions(t, s)
	cred := &staticCredential{s: s}
	opts.Credential = cred
	rec := &recordingTransport{next: opts.Transport}
	opts.Transport = rec
	var mu sync.Mutex
	var lines []logLine
	opts.Log = func(_ context.Context, msg string, fields map[string]any) {
		mu.Lock()
		lines = append(lines, logLine{msg, fields})
		mu.Unlock()
	}
	c := newClient(t, opts)

	s.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Kind: fakegraph.KindThrottle, RetryAfter: "0.01"})
	if _, err := c.ListHostPorts(context.Background(), "8.8.8.8", QueryOptions{Select: []string{"port"}}); err != nil {
		t.Fatal(err)
	}
	s.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Kind: fakegraph.KindRedirectForeign})
	if _, err := c.ListHostPorts(context.Background(), "8.8.8.8", QueryOptions{}); err == nil {
		t.Fatal("the redirect should fail")
	}

	ex := rec.exchanges()
	if len(lines) != 3 || len(ex) != 3 {
		t.Fatalf("%d log lines for %d attempts, want 3 each: %+v", len(lines), len(ex), lines)
	}
	for i, wantStatus := range []int{429, 200} {
		l := lines[i]
		if l.msg != "Graph response" || l.fields["status"] != wantStatus || l.fields["request_id"] != ex[i].requestID || ex[i].requestID == "" {
			t.Errorf("line %d: %q %v, want status %d request_id %q", i, l.msg, l.fields, wantStatus, ex[i].requestID)
		}
		if l.fields["method"] != http.MethodGet || l.fields["url"] != s.URL()+graphPrefix+"hosts/8.8.8.8/ports?$select=port" {
			t.Errorf("line %d: %v", i, l.fields)
		}
		if _, ok := l.fields["duration_ms"].(int64); !ok {
			t.Errorf("line %d: duration_ms %T", i, l.fields["duration_ms"])
		}
	}
	if lines[0].fields["retry_after"] != "0.01" {
		t.Errorf("the 429's line should carry its Retry-After: %v", lines[0].fields)
	}
	if l := lines[2]; l.msg != "Graph request failed" || !strings.Contains(fmt.Sprint(l.fields["error"]), "refused a redirect") {
		t.Errorf("failed attempt logged as %q %v", l.msg, l.fields)
	}

	toks := cred.tokens()
	if len(toks) == 0 {
		t.Fatal("no token was issued")
	}
	for i, l := range lines {
		for k, v := range l.fields {
			for _, tok := range toks {
				if strings.Contains(fmt.Sprint(v), tok) {
					t.Errorf("line %d field %s holds the bearer token", i, k)
				}
			}
			if strings.Contains(strings.ToLower(fmt.Sprint(v)), "bearer") {
				t.Errorf("line %d field %s mentions a bearer header: %v", i, k, v)
			}
		}
	}
}

func TestSameOriginRedirects(t *testing.T) {
	req := func(raw string) *http.Request {
		r, err := http.NewRequest(http.MethodGet, raw, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	first := req("https://graph.microsoft.com/v1.0/a")
	for target, allowed := range map[string]bool{
		"https://graph.microsoft.com/v1.0/b":     true,
		"https://GRAPH.microsoft.com:443/v1.0/b": true,
		"http://graph.microsoft.com/v1.0/b":      false,
		"https://graph.microsoft.com:8443/b":     false,
		"https://graph.microsoft.us/v1.0/b":      false,
		"https://evil.example/v1.0/b":            false,
	} {
		err := sameOriginRedirects(req(target), []*http.Request{first})
		if (err == nil) != allowed {
			t.Errorf("redirect to %s: %v, want allowed=%v", target, err, allowed)
		}
	}
	via := []*http.Request{first, first, first, first, first}
	if err := sameOriginRedirects(req("https://graph.microsoft.com/v1.0/c"), via); err == nil || !strings.Contains(err.Error(), "stopped after 5 redirects") {
		t.Errorf("sixth hop: %v", err)
	}
}
