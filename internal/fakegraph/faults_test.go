package fakegraph

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestFaultsReplacingTheAnswer(t *testing.T) {
	t.Parallel()
	cases := []struct {
		fault       Fault
		status      int
		code        string // Graph error.code; "" = body is not an envelope
		contentType string
		retryAfter  string
	}{
		{Fault{Kind: KindThrottle, RetryAfter: "2"}, 429, "TooManyRequests", "application/json", "2"},
		{Fault{Kind: KindThrottle, RetryAfter: "0.5"}, 429, "TooManyRequests", "application/json", "0.5"},
		{Fault{Kind: KindServiceUnavailable, RetryAfter: "Wed, 21 Oct 2015 07:28:00 GMT"}, 503, "serviceNotAvailable", "application/json", "Wed, 21 Oct 2015 07:28:00 GMT"},
		{Fault{Kind: KindGatewayTimeout}, 504, "gatewayTimeout", "application/json", ""},
		{Fault{Kind: KindGraphError, Status: 403, Code: "accessDenied"}, 403, "accessDenied", "application/json", ""},
		{Fault{Kind: KindGraphError, Status: 403, Code: "generalException"}, 403, "generalException", "application/json", ""},
		{Fault{Kind: KindHTMLError}, 502, "", "text/html", ""},
		{Fault{Kind: KindEmptyBody500}, 500, "", "", ""},
		{Fault{Kind: KindStatus, Status: 418}, 418, "", "text/plain", ""},
	}
	s := startServer(t, Config{})
	tok := s.IssueToken(DefaultTenantID)
	for _, c := range cases {
		t.Run(c.fault.Kind.String()+c.retryAfter, func(t *testing.T) {
			s.AddFault(c.fault)
			r := get(t, s, portsOf8888, tok)
			if r.status != c.status || !strings.HasPrefix(r.header.Get("Content-Type"), c.contentType) || r.header.Get("Retry-After") != c.retryAfter {
				t.Fatalf("got %d %q Retry-After %q: %s", r.status, r.header.Get("Content-Type"), r.header.Get("Retry-After"), r.body)
			}
			if c.code != "" {
				expectError(t, r, c.status, c.code)
			}
			if c.fault.Kind == KindEmptyBody500 && len(r.body) != 0 {
				t.Errorf("body %q", r.body)
			}
			if c.fault.Kind == KindHTMLError && !strings.Contains(string(r.body), "<html>") {
				t.Errorf("body %q", r.body)
			}
			if r.header.Get("request-id") == "" {
				t.Error("fault answers carry request-id too")
			}
			// Consumed: the next request is normal.
			decodePage(t, get(t, s, portsOf8888, tok))
		})
	}
}

func TestFaultCorruptBodies(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	tok := s.IssueToken(DefaultTenantID)
	full := get(t, s, pagingPath, tok)

	s.AddFault(Fault{Route: RouteList, Kind: KindTruncatedJSON})
	r := get(t, s, pagingPath, tok)
	if r.status != 200 || len(r.body) != len(full.body)/2 || json.Valid(r.body) {
		t.Errorf("truncated: status %d, %d of %d bytes, valid %v", r.status, len(r.body), len(full.body), json.Valid(r.body))
	}

	s.AddFault(Fault{Route: RouteList, Kind: KindInvalidJSON})
	r = get(t, s, pagingPath, tok)
	if r.status != 200 || json.Valid(r.body) || !strings.HasPrefix(string(r.body), `{"value":[{"id":`) {
		t.Errorf("invalid JSON: %d %q", r.status, r.body)
	}
}

// The reset must surface as a read error on both protocols a client may
// negotiate.
func TestFaultResetMidBody(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	tok := s.IssueToken(DefaultTenantID)
	h1 := &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: s.CertPool()},
		TLSNextProto:    map[string]func(string, *tls.Conn) http.RoundTripper{}, // disables HTTP/2
	}}
	t.Cleanup(h1.CloseIdleConnections)
	for name, c := range map[string]struct {
		client *http.Client
		proto  int
	}{"HTTP/2": {s.HTTPClient(), 2}, "HTTP/1.1": {h1, 1}} {
		t.Run(name, func(t *testing.T) {
			s.AddFault(Fault{Route: RouteList, Kind: KindResetMidBody})
			req, _ := http.NewRequest(http.MethodGet, s.URL()+pagingPath, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := c.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != 200 || resp.ProtoMajor != c.proto {
				t.Fatalf("status %d proto %d", resp.StatusCode, resp.ProtoMajor)
			}
			b, err := io.ReadAll(resp.Body)
			if err == nil {
				t.Fatalf("read %d bytes without error", len(b))
			}
			if len(b) == 0 || int64(len(b)) >= resp.ContentLength {
				t.Errorf("got %d of %d bytes before the reset", len(b), resp.ContentLength)
			}
			reqs := s.Requests()
			if st := reqs[len(reqs)-1].Status; st != 200 {
				t.Errorf("logged status %d", st)
			}
		})
	}
}

// http1Client trusts s and never negotiates HTTP/2, for the faults that
// behave differently on HTTP/1.1.
func http1Client(t *testing.T, s *Server) *http.Client {
	t.Helper()
	c := &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: s.CertPool()},
		TLSNextProto:    map[string]func(string, *tls.Conn) http.RoundTripper{}, // disables HTTP/2
	}}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// getPartial sends an authenticated GET for path and reads the body until
// it ends or fails, returning what arrived and how it ended.
func getPartial(t *testing.T, ctx context.Context, c *http.Client, s *Server, path, tok string) (*http.Response, []byte, error) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL()+path, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

// A reset is an RST on the TCP connection, which the client reports as
// such, after part of the promised body; the next request is served.
func TestFaultConnectionReset(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	tok := s.IssueToken(DefaultTenantID)
	c := http1Client(t, s)
	s.AddFault(Fault{Route: RouteList, Kind: KindConnectionReset})
	resp, b, err := getPartial(t, context.Background(), c, s, pagingPath, tok)
	if resp.StatusCode != 200 || resp.ProtoMajor != 1 {
		t.Fatalf("status %d proto %d", resp.StatusCode, resp.ProtoMajor)
	}
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("read ended with %v, want ECONNRESET", err)
	}
	if len(b) == 0 || int64(len(b)) >= resp.ContentLength {
		t.Errorf("got %d of %d bytes before the reset", len(b), resp.ContentLength)
	}
	if _, b, err := getPartial(t, context.Background(), c, s, pagingPath, tok); err != nil || !json.Valid(b) {
		t.Errorf("the next request: %v", err)
	}

	// HTTP/2 cannot hand its connection over: the stream is reset instead.
	s.AddFault(Fault{Route: RouteList, Kind: KindConnectionReset})
	resp, _, err = getPartial(t, context.Background(), s.HTTPClient(), s, pagingPath, tok)
	if resp.ProtoMajor != 2 || err == nil || !strings.Contains(err.Error(), "stream error") {
		t.Errorf("HTTP/%d: %v, want a stream error", resp.ProtoMajor, err)
	}
}

// A slow body delivers its first half at once and the rest after Latency;
// a client that stops waiting ends the handler's wait too.
func TestFaultSlowBody(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	tok := s.IssueToken(DefaultTenantID)
	full := get(t, s, pagingPath, tok)

	s.AddFault(Fault{Route: RouteList, Kind: KindSlowBody, Latency: 300 * time.Millisecond})
	start := time.Now()
	_, b, err := getPartial(t, context.Background(), s.HTTPClient(), s, pagingPath, tok)
	if err != nil || string(b) != string(full.body) {
		t.Fatalf("%v after %d of %d bytes, want the whole page", err, len(b), len(full.body))
	}
	if el := time.Since(start); el < 300*time.Millisecond {
		t.Errorf("whole body after %s, want >= 300ms", el)
	}

	// A client that gives up after the first half ends the handler's wait.
	s.AddFault(Fault{Route: RouteList, Kind: KindSlowBody, Latency: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL()+pagingPath, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := s.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	half := make([]byte, len(full.body)/2)
	if _, err := io.ReadFull(resp.Body, half); err != nil || string(half) != string(full.body[:len(half)]) {
		t.Fatalf("first half: %v", err)
	}
	cancel()
	if rest, err := io.ReadAll(resp.Body); !errors.Is(err, context.Canceled) || len(rest) != 0 {
		t.Errorf("after cancelling: %d more bytes, %v; want none and context.Canceled", len(rest), err)
	}
	closePromptly(t, s, "an abandoned slow body")
}

// closePromptly closes s, failing the test if a handler still waits on
// behalf of a client that is gone: Close waits for every handler.
func closePromptly(t *testing.T, s *Server, handler string) {
	t.Helper()
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("Close blocked on %s's handler", handler)
	}
}

func TestFaultNextLinks(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	tok := s.IssueToken(DefaultTenantID)

	s.AddFault(Fault{Route: RouteList, Kind: KindForeignNextLink})
	p := decodePage(t, get(t, s, pagingPath+"?$top=10", tok))
	if !strings.HasPrefix(p.NextLink, s.ForeignURL()+pagingPath+"?$top=10&$skiptoken=") {
		t.Errorf("foreign nextLink %q", p.NextLink)
	}
	// A careless client following it leaks the token to the other origin.
	getURL(t, s, p.NextLink, tok)
	reqs := s.Requests()
	last := reqs[len(reqs)-1]
	if last.Origin != OriginForeign || !last.Bearer || last.Path != pagingPath || last.Status != 200 {
		t.Errorf("foreign log entry %+v", last)
	}

	// Forced even on a last page.
	s.AddFault(Fault{Route: RouteList, Kind: KindForeignNextLink})
	if p = decodePage(t, get(t, s, portsOf8888, tok)); p.NextLink != s.ForeignURL()+portsOf8888 {
		t.Errorf("foreign nextLink on last page %q", p.NextLink)
	}

	s.AddFault(Fault{Route: RouteList, Kind: KindHTTPNextLink})
	p = decodePage(t, get(t, s, pagingPath, tok))
	if !strings.HasPrefix(p.NextLink, "http://"+strings.TrimPrefix(s.URL(), "https://")+pagingPath+"?$skiptoken=") {
		t.Errorf("http nextLink %q", p.NextLink)
	}

	s.AddFault(Fault{Route: RouteList, Kind: KindLoopingNextLink})
	p = decodePage(t, get(t, s, pagingPath+"?$select=id", tok))
	if p.NextLink != s.URL()+pagingPath+"?$select=id" {
		t.Errorf("looping nextLink %q", p.NextLink)
	}
}

func TestFaultRedirectForeign(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	tok := s.IssueToken(DefaultTenantID)
	s.AddFault(Fault{Kind: KindRedirectForeign})
	noFollow := &http.Client{Transport: s.HTTPClient().Transport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest(http.MethodGet, s.URL()+portsOf8888+"?$top=1", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != s.ForeignURL()+portsOf8888+"?$top=1" {
		t.Fatalf("%d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	// Go's client follows it but drops Authorization for another host; the
	// foreign log shows what arrived.
	s.AddFault(Fault{Kind: KindRedirectForeign})
	r := get(t, s, portsOf8888, tok)
	reqs := s.Requests()
	last := reqs[len(reqs)-1]
	if r.status != 200 || string(r.body) != `{"value":[]}` || last.Origin != OriginForeign || last.Bearer {
		t.Errorf("followed redirect: %d %s, log %+v", r.status, r.body, last)
	}
}

func TestFaultLatencyAndCancellation(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	tok := s.IssueToken(DefaultTenantID)

	s.AddFault(Fault{Kind: KindLatency, Latency: 50 * time.Millisecond})
	start := time.Now()
	decodePage(t, get(t, s, portsOf8888, tok))
	if el := time.Since(start); el < 50*time.Millisecond {
		t.Errorf("answered after %s, want >= 50ms", el)
	}

	// A cancelled client must not leave the handler sleeping for an hour:
	// Close waits for handlers, so a stuck one would hang this test.
	s.AddFault(Fault{Kind: KindLatency, Latency: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL()+portsOf8888, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	if _, err := s.HTTPClient().Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want deadline exceeded, got %v", err)
	}
	closePromptly(t, s, "a cancelled request")
}

func TestConfigLatency(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{Latency: 40 * time.Millisecond})
	tok := s.IssueToken(DefaultTenantID)
	start := time.Now()
	get(t, s, portsOf8888, tok)
	if el := time.Since(start); el < 40*time.Millisecond {
		t.Errorf("Graph answered after %s, want >= 40ms", el)
	}
	// Entra is never delayed: with an hour of Graph latency a token request
	// still completes.
	s.SetLatency(time.Hour)
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {DefaultClientID}, "client_secret": {DefaultClientSecret}, "scope": {"https://graph.microsoft.com/.default"}}
	if status, _ := postToken(t, s, DefaultTenantID, form); status != 200 {
		t.Errorf("token request: %d", status)
	}
	s.SetLatency(0)
	decodePage(t, get(t, s, portsOf8888, tok))
}

func TestFaultSelection(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	tok := s.IssueToken(DefaultTenantID)
	contoso := "/v1.0/security/threatIntelligence/hosts/contoso.com/ports"

	// Fires on the 2nd and 3rd list request for contoso.com only.
	s.AddFault(Fault{Route: RouteList, Host: "CONTOSO.com", Nth: 2, Times: 2, Kind: KindThrottle})
	var got []int
	for _, p := range []string{contoso, portsOf8888, contoso + "/$count", contoso, contoso, contoso} {
		got = append(got, get(t, s, p, tok).status)
	}
	if want := []int{200, 200, 200, 429, 429, 200}; !equalInts(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}

	// RouteGet matches the exact hostPort id.
	id := s.Data().PortIDs("8.8.8.8")[0]
	s.AddFault(Fault{Route: RouteGet, Host: id, Kind: KindGraphError, Status: 403, Code: "accessDenied"})
	get(t, s, "/v1.0/security/threatIntelligence/hostPorts/"+url.PathEscape(s.Data().PortIDs("contoso.com")[0]), tok)
	expectError(t, get(t, s, "/v1.0/security/threatIntelligence/hostPorts/"+url.PathEscape(id), tok), 403, "accessDenied")

	// Forever until cleared; RouteAny leaves the token endpoint alone.
	s.AddFault(Fault{Kind: KindServiceUnavailable, Times: -1})
	for range 3 {
		if r := get(t, s, contoso+"/$count", tok); r.status != 503 {
			t.Fatalf("status %d", r.status)
		}
	}
	status, _ := postToken(t, s, DefaultTenantID, url.Values{"grant_type": {"client_credentials"}, "client_id": {DefaultClientID}, "client_secret": {DefaultClientSecret}, "scope": {"api://x/.default"}})
	if status != 200 {
		t.Errorf("RouteAny fault hit the token endpoint: %d", status)
	}
	s.ClearFaults()
	if r := get(t, s, contoso+"/$count", tok); r.status != 200 {
		t.Errorf("after ClearFaults: %d", r.status)
	}
}

func TestFaultOnTokenEndpoint(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	s.AddFault(Fault{Route: RouteToken, Kind: KindThrottle, RetryAfter: "1"})
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {DefaultClientID}, "client_secret": {DefaultClientSecret}, "scope": {"https://graph.microsoft.com/.default"}}
	status, body := postToken(t, s, DefaultTenantID, form)
	if status != 429 || body["error"] != "temporarily_unavailable" {
		t.Errorf("throttled token request: %d %v", status, body)
	}
	if status, _ = postToken(t, s, DefaultTenantID, form); status != 200 {
		t.Errorf("second token request: %d", status)
	}
	if s.TokenRequests() != 2 {
		t.Errorf("TokenRequests %d", s.TokenRequests())
	}
}

func TestAddFaultWithoutKindPanics(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	s.AddFault(Fault{Route: RouteList})
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
