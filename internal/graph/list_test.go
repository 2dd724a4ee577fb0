package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph/fakegraphtest"
)

const pagingHostPath = graphPrefix + "hosts/" + fakegraph.SamplePagingHost + "/ports"

func portIDs(ports []HostPort) []string {
	ids := make([]string, len(ports))
	for i, p := range ports {
		ids[i] = p.ID
	}
	return ids
}

func TestListFollowsEveryPageOnce(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{PageSize: 100})
	c := newClient(t, testOptions(t, s))
	list, err := c.ListHostPorts(context.Background(), fakegraph.SamplePagingHost, QueryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if list.Pages != 3 {
		t.Errorf("Pages = %d, want 3", list.Pages)
	}
	if want := s.Data().PortIDs(fakegraph.SamplePagingHost); !reflect.DeepEqual(portIDs(list.Items), want) {
		t.Errorf("got %d ports, want the host's %d in Graph's order", len(list.Items), len(want))
	}
	if list.Count != nil {
		t.Errorf("Count = %d without $count", *list.Count)
	}

	reqs := graphRequests(s)
	if len(reqs) != 3 {
		t.Fatalf("%d Graph requests, want 3", len(reqs))
	}
	seen := map[string]int{}
	for i, r := range reqs {
		seen[pathOf(r)]++
		if r.Path != pagingHostPath || r.Status != 200 {
			t.Errorf("request %d: %s -> %d", i, pathOf(r), r.Status)
		}
		if (i == 0) != (r.RawQuery == "") || (i > 0 && !strings.Contains(r.RawQuery, "$skiptoken=")) {
			t.Errorf("request %d query %q: the first page has no options, later ones the nextLink's $skiptoken", i, r.RawQuery)
		}
	}
	for link, n := range seen {
		if n != 1 {
			t.Errorf("%s fetched %d times", link, n)
		}
	}
}

func TestListTopStopsPaging(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{PageSize: 100})
	c := newClient(t, testOptions(t, s))
	all := s.Data().PortIDs(fakegraph.SamplePagingHost)
	for _, tc := range []struct{ top, requests int }{
		{top: 5, requests: 1},
		{top: 100, requests: 1},
		{top: 150, requests: 2},
		{top: 250, requests: 3},
		{top: 1000, requests: 3},
	} {
		t.Run(fmt.Sprint(tc.top), func(t *testing.T) {
			s.ResetLog()
			list, err := c.ListHostPorts(context.Background(), fakegraph.SamplePagingHost, QueryOptions{Top: tc.top})
			if err != nil {
				t.Fatal(err)
			}
			want := all[:min(tc.top, len(all))]
			if !reflect.DeepEqual(portIDs(list.Items), want) {
				t.Errorf("got %d ports, want the first %d", len(list.Items), len(want))
			}
			reqs := graphRequests(s)
			if len(reqs) != tc.requests || list.Pages != tc.requests {
				t.Errorf("%d requests, Pages %d; want %d", len(reqs), list.Pages, tc.requests)
			}
			if len(reqs) > 0 && reqs[0].RawQuery != fmt.Sprintf("$top=%d", tc.top) {
				t.Errorf("first query %q, want $top=%d", reqs[0].RawQuery, tc.top)
			}
		})
	}
}

func TestListSkip(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{PageSize: 100})
	c := newClient(t, testOptions(t, s))
	all := s.Data().PortIDs(fakegraph.SamplePagingHost)
	list, err := c.ListHostPorts(context.Background(), fakegraph.SamplePagingHost, QueryOptions{Skip: 240})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(portIDs(list.Items), all[240:]) {
		t.Errorf("got %v, want the last 10 ports", portIDs(list.Items))
	}
	if r := graphRequests(s); len(r) != 1 || r[0].RawQuery != "$skip=240" {
		t.Errorf("requests %+v, want one with $skip=240", r)
	}

	s.ResetLog()
	list, err = c.ListHostPorts(context.Background(), fakegraph.SamplePagingHost, QueryOptions{Skip: 50, Top: 120})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(portIDs(list.Items), all[50:170]) {
		t.Errorf("skip 50 top 120: got %d ports, want ports 50..169", len(list.Items))
	}
	if r := graphRequests(s); len(r) != 2 || r[0].RawQuery != "$top=120&$skip=50" {
		t.Errorf("requests %+v, want two, the first with $top=120&$skip=50", r)
	}
}

func TestListSelect(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{})
	c := newClient(t, testOptions(t, s))
	list, err := c.ListHostPorts(context.Background(), "8.8.8.8", QueryOptions{Select: []string{"port", "status", "banners"}})
	if err != nil {
		t.Fatal(err)
	}
	if r := graphRequests(s); len(r) != 1 || r[0].RawQuery != "$select=port,status,banners" {
		t.Fatalf("requests %+v, want one with $select=port,status,banners", r)
	}
	ref := referenceHostPort()
	want := HostPort{ID: ref.ID, Port: ref.Port, Status: ref.Status, Banners: ref.Banners}
	assertHostPort(t, list.Items[0], want)
}

func TestListCountComesFromTheFirstPage(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{PageSize: 100})
	c := newClient(t, testOptions(t, s))
	list, err := c.ListHostPorts(context.Background(), fakegraph.SamplePagingHost, QueryOptions{Count: true})
	if err != nil {
		t.Fatal(err)
	}
	if list.Count == nil || *list.Count != 250 {
		t.Errorf("Count = %v, want 250", list.Count)
	}
	if len(list.Items) != 250 || list.Pages != 3 {
		t.Errorf("%d ports in %d pages", len(list.Items), list.Pages)
	}
	if r := graphRequests(s); r[0].RawQuery != "$count=true" {
		t.Errorf("first query %q, want $count=true", r[0].RawQuery)
	}

	// A count on a collection that is cut short by $top is still the total.
	list, err = c.ListHostPorts(context.Background(), fakegraph.SamplePagingHost, QueryOptions{Count: true, Top: 3})
	if err != nil {
		t.Fatal(err)
	}
	if list.Count == nil || *list.Count != 250 || len(list.Items) != 3 {
		t.Errorf("top 3: Count %v with %d ports, want 250 with 3", list.Count, len(list.Items))
	}
}

func TestListExpandAndEveryOptionTogether(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{})
	c := newClient(t, testOptions(t, s))
	list, err := c.ListHostPorts(context.Background(), "8.8.8.8", QueryOptions{
		Top: 10, Skip: 0, Select: []string{"port", "mostRecentSslCertificate"}, Expand: []string{ExpandMostRecentSslCertificate}, Count: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if r := graphRequests(s); len(r) != 1 || r[0].RawQuery != "$top=10&$select=port,mostRecentSslCertificate&$expand=mostRecentSslCertificate&$count=true" {
		t.Fatalf("requests %+v", r)
	}
	ref := referenceHostPort()
	assertHostPort(t, list.Items[0], HostPort{ID: ref.ID, Port: ref.Port, MostRecentSslCertificate: ref.MostRecentSslCertificate})
	if list.Count == nil || *list.Count != 1 {
		t.Errorf("Count = %v, want 1", list.Count)
	}
}

func TestListRejectsBadOptionsBeforeAnyRequest(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{})
	opts := testOptions(t, s)
	cred := &staticCredential{s: s}
	opts.Credential = cred
	c := newClient(t, opts)
	for name, tc := range map[string]struct {
		host string
		opts QueryOptions
		want string
	}{
		"nested select":  {"8.8.8.8", QueryOptions{Select: []string{"host/id"}}, `"host/id" is not a hostPort property`},
		"unknown select": {"8.8.8.8", QueryOptions{Select: []string{"port", "Port"}}, `"Port" is not a hostPort property`},
		"empty select":   {"8.8.8.8", QueryOptions{Select: []string{""}}, `"" is not a hostPort property`},
		"select inject":  {"8.8.8.8", QueryOptions{Select: []string{"port&$filter=x"}}, "is not a hostPort property"},
		"negative top":   {"8.8.8.8", QueryOptions{Top: -1}, "top must not be negative"},
		"negative skip":  {"8.8.8.8", QueryOptions{Skip: -5}, "skip must not be negative"},
		"bad host":       {"8.8.8.8/32", QueryOptions{}, `contains "/"`},
		"empty host":     {"", QueryOptions{}, "must not be empty"},
	} {
		_, err := c.ListHostPorts(context.Background(), tc.host, tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error containing %q", name, err, tc.want)
		}
	}
	if n := len(s.Requests()); n != 0 || cred.calls.Load() != 0 {
		t.Errorf("%d requests and %d token fetches; invalid options must be refused locally", n, cred.calls.Load())
	}
}

func TestGetHostPort(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{})
	c := newClient(t, testOptions(t, s))
	ref := referenceHostPort()

	got, err := c.GetHostPort(context.Background(), ref.ID, QueryOptions{Expand: []string{ExpandMostRecentSslCertificate}})
	if err != nil {
		t.Fatal(err)
	}
	assertHostPort(t, *got, ref)

	got, err = c.GetHostPort(context.Background(), ref.ID, QueryOptions{Select: []string{"port", "host"}})
	if err != nil {
		t.Fatal(err)
	}
	assertHostPort(t, *got, HostPort{ID: ref.ID, Port: 443, Host: ref.Host})

	reqs := graphRequests(s)
	want := []string{
		graphPrefix + "hostPorts/" + ref.ID + "?$expand=mostRecentSslCertificate",
		graphPrefix + "hostPorts/" + ref.ID + "?$select=port,host",
	}
	if len(reqs) != 2 || pathOf(reqs[0]) != want[0] || pathOf(reqs[1]) != want[1] {
		t.Errorf("requests %+v, want %v", reqs, want)
	}

	for _, bad := range []struct {
		id   string
		opts QueryOptions
	}{{"", QueryOptions{}}, {ref.ID, QueryOptions{Select: []string{"host/id"}}}} {
		if _, err := c.GetHostPort(context.Background(), bad.id, bad.opts); err == nil {
			t.Errorf("GetHostPort(%q, %+v) succeeded", bad.id, bad.opts)
		}
	}
	if n := len(graphRequests(s)); n != 2 {
		t.Errorf("invalid GetHostPort calls sent requests (%d in all)", n)
	}
}

func TestCountHostPorts(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{})
	c := newClient(t, testOptions(t, s))
	n, err := c.CountHostPorts(context.Background(), fakegraph.SamplePagingHost)
	if err != nil || n != 250 {
		t.Fatalf("CountHostPorts = %d, %v; want 250", n, err)
	}
	n, err = c.CountHostPorts(context.Background(), "empty.example.org")
	if err != nil || n != 0 {
		t.Fatalf("empty host: %d, %v; want 0", n, err)
	}
	if _, err := c.CountHostPorts(context.Background(), "unknown.example"); !IsNotFound(err) {
		t.Errorf("unknown host: %v, want a 404", err)
	}
	if r := graphRequests(s); len(r) != 3 || r[0].Path != pagingHostPath+"/$count" || r[0].RawQuery != "" {
		t.Errorf("requests %+v", r)
	}
}

func TestEmptyHostIsAnEmptyList(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{})
	c := newClient(t, testOptions(t, s))
	list, err := c.ListHostPorts(context.Background(), "empty.example.org", QueryOptions{Count: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 0 || list.Pages != 1 || list.Count == nil || *list.Count != 0 {
		t.Errorf("%+v", list)
	}
}

// Host ids ValidateHostID accepts reach Graph as one path segment, spelled
// as the user wrote them.
func TestUnusualHostIDsReachGraphVerbatim(t *testing.T) {
	data := fakegraph.NewDataset()
	hosts := []string{"2001:db8::1", "xn--bcher-kva.example", "::ffff:1.2.3.4", "localhost"}
	for _, h := range hosts {
		if err := data.AddHost(h, []json.RawMessage{json.RawMessage(`{"port":443}`)}); err != nil {
			t.Fatal(err)
		}
	}
	s := fakegraphtest.Start(t, fakegraph.Config{Data: data})
	c := newClient(t, testOptions(t, s))
	for _, h := range hosts {
		s.ResetLog()
		list, err := c.ListHostPorts(context.Background(), h, QueryOptions{})
		if err != nil {
			t.Errorf("%s: %v", h, err)
			continue
		}
		if len(list.Items) != 1 || list.Items[0].Host == nil || list.Items[0].Host.ID != h {
			t.Errorf("%s: got %+v", h, list.Items)
		}
		if r := graphRequests(s); len(r) != 1 || r[0].Path != graphPrefix+"hosts/"+h+"/ports" {
			t.Errorf("%s: requests %+v", h, r)
		}
	}
}

// hostPort ids are opaque: whatever they hold, they must stay one path
// segment, with nothing a server or proxy could resolve or split on.
func TestHostPortIDsStayOneSegment(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{})
	c := newClient(t, testOptions(t, s))
	for id, escaped := range map[string]string{
		"T0M0NExqZ3VPQ1FrTkRRMg": "T0M0NExqZ3VPQ1FrTkRRMg",
		"ab/cd+ef==":             "ab%2Fcd+ef==",
		"..":                     "%2E%2E",
		".":                      "%2E",
		"../../me":               "..%2F..%2Fme",
		"a?b=c":                  "a%3Fb=c",
		"a#frag":                 "a%23frag",
		"100%":                   "100%25",
		"%2F":                    "%252F",
		"with space":             "with%20space",
		"bücher":                 "b%C3%BCcher",
		"a;b,c":                  "a%3Bb%2Cc",
		"$count":                 "$count",
		"\\windows\\path":        "%5Cwindows%5Cpath",
		"tab\there":              "tab%09here",
		"emoji🙂":                 "emoji%F0%9F%99%82",
	} {
		s.ResetLog()
		_, err := c.GetHostPort(context.Background(), id, QueryOptions{})
		if !IsNotFound(err) {
			t.Errorf("GetHostPort(%q): %v, want Graph's 404 for an unknown id", id, err)
		}
		r := graphRequests(s)
		if len(r) != 1 {
			t.Errorf("GetHostPort(%q): %d requests", id, len(r))
			continue
		}
		if want := graphPrefix + "hostPorts/" + escaped; r[0].Path != want || r[0].RawQuery != "" {
			t.Errorf("GetHostPort(%q) sent %s, want %s", id, pathOf(r[0]), want)
		}
		if unescaped, err := url.PathUnescape(strings.TrimPrefix(r[0].Path, graphPrefix+"hostPorts/")); err != nil || unescaped != id {
			t.Errorf("GetHostPort(%q): the segment unescapes to %q, %v", id, unescaped, err)
		}
	}
}

func TestMaxResponseBytes(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{})
	opts := testOptions(t, s)
	opts.MaxResponseBytes = 10 << 10
	c := newClient(t, opts)
	list, err := c.ListHostPorts(context.Background(), fakegraph.SamplePagingHost, QueryOptions{})
	if !errors.Is(err, ErrResponseTooLarge) || list != nil {
		t.Fatalf("got a result %v, %v; want a nil result and ErrResponseTooLarge", list != nil, err)
	}
	if !strings.Contains(err.Error(), "request-id: ") || strings.Contains(err.Error(), "none returned") {
		t.Errorf("%q should name Graph's request-id", err)
	}
	if r := graphRequests(s); len(r) != 1 {
		t.Errorf("%d requests, want 1: an oversize answer is not retried", len(r))
	}
	// A small answer passes the same limit.
	if _, err := c.ListHostPorts(context.Background(), "contoso.com", QueryOptions{Top: 1}); err != nil {
		t.Errorf("a small page failed: %v", err)
	}
}

// Without a Content-Length the limit still holds while the body streams in.
func TestMaxResponseBytesWhileStreaming(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{})
	opts := testOptions(t, s)
	opts.MaxResponseBytes = 10 << 10
	opts.Transport = unknownLengthTransport{opts.Transport}
	c := newClient(t, opts)
	list, err := c.ListHostPorts(context.Background(), fakegraph.SamplePagingHost, QueryOptions{})
	if !errors.Is(err, ErrResponseTooLarge) || list != nil {
		t.Fatalf("got a result %v, %v; want a nil result and ErrResponseTooLarge", list != nil, err)
	}
	if !containsAll(err.Error(), "page 1", "HTTP 200", "10240 bytes") {
		t.Errorf("%q should name the page, the status and the limit", err)
	}
	if _, err := c.ListHostPorts(context.Background(), "contoso.com", QueryOptions{Top: 1}); err != nil {
		t.Errorf("a small page failed: %v", err)
	}
}

// unknownLengthTransport hides Content-Length, as a chunked answer would.
type unknownLengthTransport struct{ next http.RoundTripper }

func (u unknownLengthTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := u.next.RoundTrip(req)
	if err == nil {
		resp.ContentLength = -1
		resp.Header.Del("Content-Length")
	}
	return resp, err
}

// Sequential calls reuse one connection; the pool is not rebuilt per call.
func TestConnectionReuse(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{})
	opts := testOptions(t, s)
	opts.Credential = secretCredential(t, s, opts.Transport)
	c := newClient(t, opts)
	for i := 0; i < 50; i++ {
		if _, err := c.ListHostPorts(context.Background(), "contoso.com", QueryOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.Connections(); n > 2 {
		t.Errorf("%d connections for 50 calls and a token request, want at most 2", n)
	}
}
