package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph/fakegraphtest"
)

// nextLinkTransport stands between the client and the emulator: it sets the
// first answer's @odata.nextLink to a link of the test's choosing, which no
// fault of the emulator serves, and records every request put on the wire.
type nextLinkTransport struct {
	next http.RoundTripper
	link string

	mu   sync.Mutex
	sent []string
}

func (rt *nextLinkTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rt.mu.Lock()
	rt.sent = append(rt.sent, req.URL.String())
	first := len(rt.sent) == 1
	rt.mu.Unlock()
	resp, err := rt.next.RoundTrip(req)
	if err != nil || !first || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	var page map[string]json.RawMessage
	if err := json.Unmarshal(body, &page); err != nil {
		return nil, err
	}
	page["@odata.nextLink"], _ = json.Marshal(rt.link)
	if body, err = json.Marshal(page); err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return resp, nil
}

func (rt *nextLinkTransport) requests() []string {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return append([]string(nil), rt.sent...)
}

// listWithNextLink lists 8.8.8.8, whose one page the transport gives link
// as its nextLink.
func listWithNextLink(t *testing.T, s *fakegraph.Server, link string) (*HostPortList, *nextLinkTransport, error) {
	t.Helper()
	opts := testOptions(t, s)
	rt := &nextLinkTransport{next: opts.Transport, link: link}
	opts.Transport = rt
	list, err := newClient(t, opts).ListHostPorts(context.Background(), "8.8.8.8", QueryOptions{})
	return list, rt, err
}

func TestNextLinkOutsideThreatIntelligenceIsRefused(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{})
	for name, path := range map[string]string{
		"another resource":          "/v1.0/users?$skiptoken=x",
		"another API version":       "/beta/security/threatIntelligence/hosts/8.8.8.8/ports?$skiptoken=x",
		"the tree itself":           "/v1.0/security/threatIntelligence/?$skiptoken=x",
		"dot-dot out of the tree":   "/v1.0/security/threatIntelligence/../../users",
		"dot-dot inside the tree":   "/v1.0/security/threatIntelligence/hosts/8.8.8.8/ports/../../1.1.1.1/ports?$skiptoken=x",
		"escaped dot-dot":           "/v1.0/security/threatIntelligence/%2e%2e/%2E%2E/users",
		"half-escaped dot-dot":      "/v1.0/security/threatIntelligence/hosts/.%2e/.%2E/users",
		"twice-escaped dot-dot":     "/v1.0/security/threatIntelligence/%252e%252e/%252e%252e/users",
		"dot":                       "/v1.0/security/threatIntelligence/./hosts/8.8.8.8/ports?$skiptoken=x",
		"escaped slash and dot-dot": "/v1.0/security/threatIntelligence/..%2F..%2Fusers",
	} {
		t.Run(name, func(t *testing.T) {
			s.ResetLog()
			link := s.URL() + path
			list, rt, err := listWithNextLink(t, s, link)
			if err == nil || list != nil || !strings.Contains(err.Error(), "refused to follow @odata.nextLink "+link+":") {
				t.Fatalf("got a result %v, %v; want an error naming %s", list != nil, err, link)
			}
			if sent := rt.requests(); len(sent) != 1 {
				t.Errorf("requests sent %q, want the first page alone", sent)
			}
			if reqs := graphRequests(s); len(reqs) != 1 || reqs[0].Path != graphPrefix+"hosts/8.8.8.8/ports" {
				t.Errorf("the emulator saw %+v, want the first page alone", reqs)
			}
		})
	}
}

// The error quotes the link as url.URL.Redacted does, so credentials a
// hostile page put in it do not reach a log.
func TestNextLinkWithCredentialsIsRefusedRedacted(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{})
	u, err := url.Parse(s.URL() + graphPrefix + "hosts/8.8.8.8/ports?$skiptoken=x")
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword("user", "hunter2")
	list, rt, err := listWithNextLink(t, s, u.String())
	if err == nil || list != nil || !strings.Contains(err.Error(), "refused to follow @odata.nextLink "+u.Redacted()+": it carries credentials") ||
		strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("got a result %v, %v; want an error naming %s", list != nil, err, u.Redacted())
	}
	if sent := rt.requests(); len(sent) != 1 {
		t.Errorf("requests sent %q, want the first page alone", sent)
	}
}

// A nextLink under the tree is followed even when it spells segment names in
// another case, since Graph compares them case-insensitively.
func TestNextLinkUnderThreatIntelligenceIsFollowed(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{PageSize: 100})
	link := s.URL() + "/v1.0/Security/THREATINTELLIGENCE/hosts/" + fakegraph.SamplePagingHost + "/ports"
	list, rt, err := listWithNextLink(t, s, link)
	if err != nil {
		t.Fatal(err)
	}
	// 8.8.8.8's one port, then the paging host's 250 over its three pages.
	want := append(s.Data().PortIDs("8.8.8.8"), s.Data().PortIDs(fakegraph.SamplePagingHost)...)
	if !reflect.DeepEqual(portIDs(list.Items), want) || list.Pages != 4 {
		t.Errorf("%d ports in %d pages, want %d in 4", len(list.Items), list.Pages, len(want))
	}
	if sent := rt.requests(); len(sent) != 4 || sent[1] != link {
		t.Errorf("requests sent %q, want 4 with the nextLink second", sent)
	}
}

// checkNextLink is judged on its own here for the forms a page cannot carry
// through the emulator: an endpoint behind a gateway path, backslashes.
func TestCheckNextLinkScope(t *testing.T) {
	c := newClient(t, Options{Endpoint: "https://gateway.example/graph/", APIVersion: "beta", Credential: &staticCredential{}})
	for _, tc := range []struct {
		link string
		want string // "" when followed
	}{
		{"https://gateway.example/graph/beta/security/threatIntelligence/hosts/a/ports?$skiptoken=1", ""},
		{"https://GATEWAY.example:443/Graph/BETA/security/threatintelligence/hostPorts/a%2Fb", ""},
		{"https://gateway.example/graph/beta/security/threatIntelligence/hosts/a%2Eb/ports", ""},
		{"https://gateway.example/beta/security/threatIntelligence/hosts/a/ports", "leads outside"},
		{"https://gateway.example/graph/v1.0/security/threatIntelligence/hosts/a/ports", "leads outside"},
		{"https://gateway.example/graph/beta/security/threatIntelligenceX/hosts/a/ports", "leads outside"},
		{"https://gateway.example/graph/beta/security//threatIntelligence/hosts/a/ports", "leads outside"},
		{"https://gateway.example/graph/beta/security/threatIntelligence", "leads outside"},
		{"https://gateway.example/graph/beta/security/threatIntelligence/", "leads outside"},
		{"https://gateway.example/graph/beta/security/threat%49ntelligence/hosts", "leads outside"},
		{`https://gateway.example/graph/beta/security/threatIntelligence/..\..\users`, `"." or ".."`},
		{"https://gateway.example/graph/beta/security/threatIntelligence/..%5C..%5Cusers", `"." or ".."`},
		{"https://gateway.example/graph/beta/security/threatIntelligence/%25252525252e", `"." or ".."`},
		{"https://gateway.example/graph/beta/security/threatIntelligence/hosts/%2E", `"." or ".."`},
		{"https://other.example/graph/beta/security/threatIntelligence/hosts/a/ports", "leaves the configured Graph endpoint"},
		{"/graph/beta/security/threatIntelligence/hosts/a/ports", "leaves the configured Graph endpoint"},
	} {
		err := c.checkNextLink(tc.link)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v, want it followed", tc.link, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want an error containing %q", tc.link, err, tc.want)
		}
	}
}
