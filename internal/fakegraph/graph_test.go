package fakegraph

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const portsOf8888 = "/v1.0/security/threatIntelligence/hosts/8.8.8.8/ports"

// The reference example, field by field: the first thing a client test
// reproduces, so the fixture must be exactly what the docs describe.
func TestSampleReferenceExample(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	tok := s.IssueToken(DefaultTenantID)
	p := decodePage(t, get(t, s, portsOf8888, tok))
	if len(p.Value) != 1 || p.NextLink != "" || p.Count != nil {
		t.Fatalf("want one port, no nextLink, no count: %+v", p)
	}
	var hp struct {
		ID                string
		Port              int
		Protocol, Status  string
		FirstSeenDateTime string
		LastSeenDateTime  string
		LastScanDateTime  string
		TimesObserved     int
		Banners           []struct {
			Banner, ScanProtocol string
			TimesObserved        int
		}
		Services []struct {
			IsRecent  bool
			Component struct{ Name, Version, Category string }
		}
		Host                     map[string]any
		MostRecentSslCertificate map[string]any
	}
	if err := json.Unmarshal(p.Value[0], &hp); err != nil {
		t.Fatal(err)
	}
	if id, _ := base64.StdEncoding.DecodeString(hp.ID); string(id) != "8.8.8.8$$443" {
		t.Errorf("id %q is not base64 of 8.8.8.8$$443", hp.ID)
	}
	if hp.Port != 443 || hp.Protocol != "tcp" || hp.Status != "open" || hp.TimesObserved != 15590 {
		t.Errorf("port fields: %+v", hp)
	}
	if hp.FirstSeenDateTime != "2016-12-06T20:23:38Z" || !strings.HasPrefix(hp.LastSeenDateTime, "2023-07-18T23:24:01") || !strings.HasPrefix(hp.LastScanDateTime, "2023-07-18T23:24:29") {
		t.Errorf("timestamps: %s %s %s", hp.FirstSeenDateTime, hp.LastSeenDateTime, hp.LastScanDateTime)
	}
	if len(hp.Banners) != 2 || hp.Banners[0].TimesObserved != 2 || hp.Banners[1].TimesObserved != 2975 {
		t.Fatalf("banners: %+v", hp.Banners)
	}
	for _, b := range hp.Banners {
		if b.ScanProtocol != "http_raw" || !strings.HasPrefix(b.Banner, "HTTP/1.1 302 Found\r\n") {
			t.Errorf("banner: %+v", b)
		}
	}
	if len(hp.Services) != 2 ||
		hp.Services[0].Component.Name != "scaffolding on HTTPServer2" || !hp.Services[0].IsRecent || hp.Services[0].Component.Category != "Server" ||
		hp.Services[1].Component.Name != "nginx" || hp.Services[1].Component.Version != "1.18.0" || hp.Services[1].IsRecent || hp.Services[1].Component.Category != "Server" {
		t.Errorf("services: %+v", hp.Services)
	}
	if len(hp.Host) != 1 || hp.Host["id"] != "85.13.139.18" {
		t.Errorf("host stub: %v", hp.Host)
	}
	if len(hp.MostRecentSslCertificate) != 1 || hp.MostRecentSslCertificate["id"] == "" {
		t.Errorf("certificate must be a stub without $expand: %v", hp.MostRecentSslCertificate)
	}
}

func TestGraphAuthentication(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	for name, tok := range map[string]string{"missing": "", "unknown": "forged-token"} {
		t.Run(name, func(t *testing.T) {
			r := get(t, s, portsOf8888, tok)
			expectError(t, r, http.StatusUnauthorized, "InvalidAuthenticationToken")
			if r.header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate challenge")
			}
		})
	}
}

func TestGraphNotFound(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	tok := s.IssueToken(DefaultTenantID)
	expectError(t, get(t, s, "/v1.0/security/threatIntelligence/hosts/unknown.example/ports", tok), 404, "itemNotFound")
	expectError(t, get(t, s, "/v1.0/security/threatIntelligence/hosts/unknown.example/ports/$count", tok), 404, "itemNotFound")
	expectError(t, get(t, s, "/v1.0/security/threatIntelligence/hostPorts/bm9wZQ%3D%3D", tok), 404, "itemNotFound")
	// Documented as unsupported, and unknown segments: 400 like Graph.
	expectError(t, get(t, s, "/v1.0/security/threatIntelligence/hostPorts", tok), 400, "BadRequest")
	expectError(t, get(t, s, "/v1.0/security/threatIntelligence/hosts/8.8.8.8/vulnerabilities", tok), 400, "BadRequest")
}

func TestGraphHeadersAndErrorEnvelope(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	req, _ := http.NewRequest(http.MethodGet, s.URL()+"/v1.0/security/threatIntelligence/hosts/nope/ports", nil)
	req.Header.Set("Authorization", "Bearer "+s.IssueToken(DefaultTenantID))
	req.Header.Set("client-request-id", "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee")
	resp, err := s.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e graphError
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
		t.Fatal(err)
	}
	if resp.Header.Get("client-request-id") != "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee" || e.Error.InnerError.ClientRequestID != "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee" {
		t.Errorf("client-request-id not echoed: header %q body %q", resp.Header.Get("client-request-id"), e.Error.InnerError.ClientRequestID)
	}
	rid := resp.Header.Get("request-id")
	if len(rid) != 36 || e.Error.InnerError.RequestID != rid {
		t.Errorf("request-id header %q vs body %q", rid, e.Error.InnerError.RequestID)
	}
	if d := e.Error.InnerError.Date; len(d) != len("2023-04-10T18:05:00") || strings.ContainsAny(d, "Z+") {
		t.Errorf("innerError.date %q must have no zone", d)
	}

	// Every response gets a fresh request-id and a generated client-request-id.
	a := get(t, s, portsOf8888, s.IssueToken(DefaultTenantID))
	b := get(t, s, portsOf8888, "")
	if a.header.Get("request-id") == "" || a.header.Get("request-id") == b.header.Get("request-id") || b.header.Get("client-request-id") == "" {
		t.Errorf("request ids: %v / %v", a.header, b.header)
	}
}

func TestGetHostPortByEscapedID(t *testing.T) {
	t.Parallel()
	d := NewDataset()
	// An id with "+", "/" and "=": the client must escape it, and the
	// emulator must not split on the escaped slash.
	const id = "ab+c/d=="
	if err := d.AddHost("weird host/1", []json.RawMessage{json.RawMessage(`{"id":"` + id + `","port":8443}`)}); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, Config{Data: d})
	tok := s.IssueToken(DefaultTenantID)

	r := get(t, s, "/beta/security/threatIntelligence/hostPorts/"+url.PathEscape(id), tok)
	var hp map[string]any
	if err := json.Unmarshal(r.body, &hp); err != nil || r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	context, _ := hp["@odata.context"].(string)
	if hp["id"] != id || hp["port"] != float64(8443) || !strings.HasSuffix(context, "/beta/$metadata#security/threatIntelligence/hostPorts/$entity") {
		t.Errorf("entity: %v", hp)
	}
	host, _ := hp["host"].(map[string]any)
	if host["id"] != "weird host/1" || hp["mostRecentSslCertificate"] != nil {
		t.Errorf("defaults for host stub and missing certificate: %v", hp)
	}
	// The unescaped slash is a different path: not this port.
	expectError(t, get(t, s, "/beta/security/threatIntelligence/hostPorts/ab+c/d==", tok), 400, "BadRequest")

	p := decodePage(t, get(t, s, "/v1.0/security/threatIntelligence/hosts/"+url.PathEscape("weird host/1")+"/ports", tok))
	if len(p.Value) != 1 {
		t.Fatalf("escaped host id not found: %+v", p)
	}
	reqs := s.Requests()
	if last := reqs[len(reqs)-1]; last.Path != "/v1.0/security/threatIntelligence/hosts/weird%20host%2F1/ports" {
		t.Errorf("log must keep the path as sent, got %q", last.Path)
	}
}

func TestCountRoute(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	tok := s.IssueToken(DefaultTenantID)
	for _, p := range []string{"/v1.0/security/threatIntelligence/hosts/contoso.com/ports/$count", "/v1.0/security/threatIntelligence/hosts/contoso.com/ports/%24count"} {
		r := get(t, s, p, tok)
		if r.status != 200 || string(r.body) != "7" || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
			t.Errorf("%s: %d %q %q", p, r.status, r.body, r.header.Get("Content-Type"))
		}
	}
	expectError(t, get(t, s, "/v1.0/security/threatIntelligence/hosts/contoso.com/ports/$count?$top=1", tok), 400, "BadRequest")
}

func TestRequestLog(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	tok := s.IssueToken(DefaultTenantID)
	get(t, s, portsOf8888+"?$top=1&$count=true", tok)
	get(t, s, "/beta/security/threatIntelligence/hosts/nope/ports", "")
	reqs := s.Requests()
	if len(reqs) != 2 {
		t.Fatalf("log: %+v", reqs)
	}
	want := []Request{
		{Origin: OriginGraph, Method: "GET", Path: portsOf8888, RawQuery: "$top=1&$count=true", Bearer: true, Status: 200},
		{Origin: OriginGraph, Method: "GET", Path: "/beta/security/threatIntelligence/hosts/nope/ports", Bearer: false, Status: 401},
	}
	for i, w := range want {
		got := reqs[i]
		if got.Time.IsZero() {
			t.Errorf("entry %d has no time", i)
		}
		if got.Answered.Before(got.Time) {
			t.Errorf("entry %d answered at %v, before it arrived at %v", i, got.Answered, got.Time)
		}
		got.Time, got.Answered = w.Time, w.Answered
		if got != w {
			t.Errorf("entry %d: got %+v, want %+v", i, got, w)
		}
	}
	if st := s.Stats(); st.GraphRequests != 2 || st.PagesServed != 1 {
		t.Errorf("stats: %+v", st)
	}
	s.ResetLog()
	if len(s.Requests()) != 0 || s.Stats() != (Stats{}) {
		t.Errorf("ResetLog left %+v %+v", s.Requests(), s.Stats())
	}
}

func TestNonGETRefused(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	req, _ := http.NewRequest(http.MethodDelete, s.URL()+portsOf8888, nil)
	req.Header.Set("Authorization", "Bearer "+s.IssueToken(DefaultTenantID))
	resp, err := s.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("DELETE answered %d", resp.StatusCode)
	}
}
