package fakegraph

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"os"
	"runtime"
	"time"
)

// TestMain fails the package if a server leaves goroutines behind after
// Close: the provider tests start many servers and would pile them up. It
// looks only for this package's server-side frames (handlers, serve loops),
// so idle client connections of the test's own transports do not count.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if leaked := serverGoroutines(); leaked != "" {
			os.Stderr.WriteString("fakegraph: goroutines left after every server closed:\n" + leaked)
			code = 1
		}
	}
	os.Exit(code)
}

func serverGoroutines() string {
	var leaked string
	// Goroutines that have been told to stop may need a moment to be
	// scheduled and exit; poll for the condition instead of sleeping once.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		leaked = ""
		for _, g := range strings.Split(string(buf), "\n\n") {
			if (strings.Contains(g, "fakegraph.(*Server)") || strings.Contains(g, "fakegraph.Start.")) && !strings.Contains(g, "fakegraph.serverGoroutines") {
				leaked += g + "\n\n"
			}
		}
		if leaked == "" {
			return ""
		}
	}
	return leaked
}

func TestCertificateCoversLoopbackNames(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	block, _ := pem.Decode(s.CAPEM())
	if block == nil {
		t.Fatal("CAPEM is not PEM")
	}
	ca, err := x509.ParseCertificate(block.Bytes)
	if err != nil || !ca.IsCA {
		t.Fatalf("CA: %v", err)
	}
	resp, err := s.HTTPClient().Get(s.URL() + "/_emulator/stats")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	leaf := resp.TLS.PeerCertificates[0]
	if err := leaf.CheckSignatureFrom(ca); err != nil {
		t.Errorf("leaf not signed by CAPEM's CA: %v", err)
	}
	for _, name := range []string{"127.0.0.1", "::1", "localhost"} {
		if err := leaf.VerifyHostname(name); err != nil {
			t.Errorf("leaf does not cover %s: %v", name, err)
		}
	}
	if resp.ProtoMajor != 2 {
		t.Errorf("HTTP/%d negotiated, want HTTP/2", resp.ProtoMajor)
	}
	if !strings.HasPrefix(s.URL(), "https://127.0.0.1:") || strings.HasSuffix(s.URL(), "/") || !strings.HasPrefix(s.ForeignURL(), "https://localhost:") {
		t.Errorf("URLs %s %s", s.URL(), s.ForeignURL())
	}
	// A client that does not trust the CA is refused.
	if _, err := http.Get(s.URL() + "/_emulator/stats"); err == nil {
		t.Error("default client trusted the emulator")
	}
}

func TestForeignListenerLogsEverything(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	req, _ := http.NewRequest(http.MethodPost, s.ForeignURL()+"/anything/at%2Fall?x=1", strings.NewReader("{}"))
	req.Header.Set("Authorization", "Bearer stolen")
	resp, err := s.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string][]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != 200 || body["value"] == nil || len(body["value"]) != 0 {
		t.Errorf("%d %v %v", resp.StatusCode, body, err)
	}
	resp.Body.Close()
	reqs := s.Requests()
	if len(reqs) != 1 {
		t.Fatalf("log %+v", reqs)
	}
	got := reqs[0]
	if got.Origin != OriginForeign || got.Method != "POST" || got.Path != "/anything/at%2Fall" || got.RawQuery != "x=1" || !got.Bearer || got.Status != 200 {
		t.Errorf("%+v", got)
	}
	if s.Connections() != 0 {
		t.Errorf("foreign connections counted on the main listener: %d", s.Connections())
	}
}

func TestConnectionsShowKeepAlive(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	tok := s.IssueToken(DefaultTenantID)
	for range 5 {
		decodePage(t, get(t, s, portsOf8888, tok))
	}
	if n := s.Connections(); n != 1 {
		t.Errorf("5 sequential requests used %d connections, want 1", n)
	}
	// A client without keep-alive opens one per request, proving the counter counts.
	base, ok := s.HTTPClient().Transport.(*http.Transport)
	if !ok {
		t.Fatalf("HTTPClient's transport is a %T", s.HTTPClient().Transport)
	}
	tr := base.Clone()
	tr.DisableKeepAlives = true
	c := &http.Client{Transport: tr}
	for range 2 {
		resp, err := c.Get(s.URL() + "/_emulator/stats")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if n := s.Connections(); n != 3 {
		t.Errorf("connections %d, want 3", n)
	}
}

func TestControlEndpoints(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	tok := s.IssueToken(DefaultTenantID)
	decodePage(t, get(t, s, pagingPath, tok))
	get(t, s, "/v1.0/security/threatIntelligence/hosts/contoso.com/ports/$count", tok)
	postToken(t, s, DefaultTenantID, url.Values{})

	var st Stats
	r := get(t, s, "/_emulator/stats", "")
	if err := json.Unmarshal(r.body, &st); err != nil {
		t.Fatal(err)
	}
	if st.TokenRequests != 1 || st.GraphRequests != 2 || st.PagesServed != 1 || st.Connections != 1 {
		t.Errorf("stats %+v (%s)", st, r.body)
	}
	var raw map[string]int
	_ = json.Unmarshal(r.body, &raw)
	for _, k := range []string{"tokenRequests", "graphRequests", "pagesServed", "connections"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("stats JSON lacks %q: %s", k, r.body)
		}
	}
	resp, err := s.HTTPClient().Post(s.URL()+"/_emulator/reset", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || s.Stats() != (Stats{}) || len(s.Requests()) != 0 {
		t.Errorf("reset: %d %+v", resp.StatusCode, s.Stats())
	}
}

func TestCloseIsIdempotentAndStopsListening(t *testing.T) {
	t.Parallel()
	s, err := Start(Config{Data: NewDataset()})
	if err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimPrefix(s.URL(), "https://")
	s.Close()
	s.Close()
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Error("still listening after Close")
	}
}
