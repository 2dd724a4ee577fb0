package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph/fakegraphtest"
)

func ptr[T any](v T) *T { return &v }

func at(year int, month time.Month, day, hour, min, sec, nsec int) *Timestamp {
	return &Timestamp{Time: time.Date(year, month, day, hour, min, sec, nsec, time.UTC)}
}

// referenceHostPort is the API reference's example for 8.8.8.8 as the client
// must decode it with $expand=mostRecentSslCertificate, written out by hand
// from the documented facts (and the emulator fixture's certificate).
func referenceHostPort() HostPort {
	return HostPort{
		ID:                "OC44LjguOCQkNDQz",
		Port:              443,
		Protocol:          ProtocolTCP,
		Status:            StatusOpen,
		FirstSeenDateTime: at(2016, 12, 6, 20, 23, 38, 0),         // no fraction
		LastSeenDateTime:  at(2023, 7, 18, 23, 24, 1, 0),          // ".00Z"
		LastScanDateTime:  at(2023, 7, 18, 23, 24, 29, 735000000), // ".735Z"
		TimesObserved:     ptr[int64](15590),
		Banners: []HostPortBanner{
			{
				Banner:            "HTTP/1.1 302 Found\r\nLocation: https://dns.google/\r\nX-Content-Type-Options: nosniff\r\nContent-Type: text/html; charset=UTF-8\r\nServer: HTTP server (unknown)\r\nContent-Length: 216\r\n\r\n",
				FirstSeenDateTime: at(2023, 6, 29, 3, 27, 27, 0),
				LastSeenDateTime:  at(2023, 6, 29, 3, 27, 27, 0),
				ScanProtocol:      ptr("http_raw"),
				TimesObserved:     ptr[int64](2),
			},
			{
				Banner:            "HTTP/1.1 302 Found\r\nServer: nginx/1.18.0\r\nDate: Tue, 18 Jul 2023 23:24:01 GMT\r\nContent-Type: text/html\r\nLocation: https://8.8.8.8/\r\nConnection: keep-alive\r\n\r\n",
				FirstSeenDateTime: at(2021, 5, 17, 9, 12, 44, 512000000),
				LastSeenDateTime:  at(2023, 7, 18, 23, 24, 1, 0),
				ScanProtocol:      ptr("http_raw"),
				TimesObserved:     ptr[int64](2975),
			},
		},
		Services: []HostPortComponent{
			{
				FirstSeenDateTime: at(2023, 6, 29, 3, 27, 27, 0),
				LastSeenDateTime:  at(2023, 7, 18, 23, 24, 1, 0),
				IsRecent:          ptr(true),
				Component: &HostComponent{
					ID:       ptr("scaffolding-on-httpserver2"),
					Name:     ptr("scaffolding on HTTPServer2"),
					Version:  ptr(""),
					Category: ptr("Server"),
				},
			},
			{
				FirstSeenDateTime: at(2021, 5, 17, 9, 12, 44, 512000000),
				LastSeenDateTime:  at(2022, 11, 2, 14, 50, 9, 0),
				IsRecent:          ptr(false),
				Component: &HostComponent{
					ID:       ptr("nginx-1.18.0"),
					Name:     ptr("nginx"),
					Version:  ptr("1.18.0"),
					Category: ptr("Server"),
				},
			},
		},
		Host: &HostReference{ID: "85.13.139.18"},
		MostRecentSslCertificate: &SslCertificate{
			ID:                 "7c4f1a1e2b6d3f8a9e0c5b4d2a1f6e8c3b9d7a05",
			Sha1:               ptr("7c4f1a1e2b6d3f8a9e0c5b4d2a1f6e8c3b9d7a05"),
			Fingerprint:        ptr("3a8e6f0c1d2b4a5e7f9c8b0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f"),
			SerialNumber:       ptr("0A1B2C3D4E5F60718293A4B5C6D7E8F9"),
			IssueDateTime:      at(2023, 6, 19, 8, 19, 35, 0),
			ExpirationDateTime: at(2023, 9, 11, 8, 19, 34, 0),
			FirstSeenDateTime:  at(2023, 6, 20, 1, 2, 3, 0),
			LastSeenDateTime:   at(2023, 7, 18, 23, 24, 1, 735000000),
			Issuer: &SslCertificateEntity{
				CommonName:           ptr("GTS CA 1C3"),
				AlternateNames:       []string{},
				Email:                ptr(""),
				GivenName:            ptr(""),
				Surname:              ptr(""),
				OrganizationName:     ptr("Google Trust Services LLC"),
				OrganizationUnitName: ptr(""),
				SerialNumber:         ptr(""),
				Address: &PhysicalAddress{
					Street: ptr(""), City: ptr(""), State: ptr(""), PostalCode: ptr(""), CountryOrRegion: ptr("US"),
				},
			},
			Subject: &SslCertificateEntity{
				CommonName:           ptr("dns.google"),
				AlternateNames:       []string{"dns.google", "dns.google.com", "*.dns.google.com", "8888.google", "dns64.dns.google", "8.8.8.8", "8.8.4.4"},
				Email:                ptr("hostmaster@dns.google"),
				GivenName:            ptr("Dana"),
				Surname:              ptr("Resolver"),
				OrganizationName:     ptr("Google LLC"),
				OrganizationUnitName: ptr("Public DNS"),
				SerialNumber:         ptr("8888"),
				Address: &PhysicalAddress{
					Street:          ptr("1600 Amphitheatre Parkway"),
					City:            ptr("Mountain View"),
					State:           ptr("CA"),
					PostalCode:      ptr("94043"),
					CountryOrRegion: ptr("US"),
				},
			},
		},
	}
}

// assertHostPort compares field by field; on a mismatch it prints both sides
// as indented JSON so the differing field is easy to spot.
func assertHostPort(t *testing.T, got, want HostPort) {
	t.Helper()
	if reflect.DeepEqual(got, want) {
		return
	}
	g, _ := json.MarshalIndent(got, "", "  ")
	w, _ := json.MarshalIndent(want, "", "  ")
	gl, wl := strings.Split(string(g), "\n"), strings.Split(string(w), "\n")
	for i := 0; i < max(len(gl), len(wl)); i++ {
		var a, b string
		if i < len(gl) {
			a = gl[i]
		}
		if i < len(wl) {
			b = wl[i]
		}
		if a != b {
			t.Errorf("hostPort differs at line %d:\n got: %s\nwant: %s", i+1, a, b)
			break
		}
	}
	t.Errorf("hostPort mismatch\n got: %s\nwant: %s", g, w)
}

func TestReferenceExampleDecodesFieldByField(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{})
	c := newClient(t, testOptions(t, s))
	list, err := c.ListHostPorts(context.Background(), "8.8.8.8", QueryOptions{Expand: []string{ExpandMostRecentSslCertificate}})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 || list.Pages != 1 || list.Count != nil {
		t.Fatalf("got %d ports in %d pages (count %v), want 1 port, 1 page, no count", len(list.Items), list.Pages, list.Count)
	}
	assertHostPort(t, list.Items[0], referenceHostPort())

	// Without $expand the certificate is a stub and the rest is unchanged.
	list, err = c.ListHostPorts(context.Background(), "8.8.8.8", QueryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := referenceHostPort()
	want.MostRecentSslCertificate = &SslCertificate{ID: want.MostRecentSslCertificate.ID}
	assertHostPort(t, list.Items[0], want)
}

// The same fixture decoded without any HTTP, through the streaming decoder.
func TestDecodeListPageReferenceFixture(t *testing.T) {
	body := readReferenceFixture(t)
	var ports []HostPort
	page, err := decodeListPage(bytes.NewReader(body), func(p *HostPort) error {
		ports = append(ports, *p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if page.NextLink != "" || page.Count != nil || len(ports) != 1 {
		t.Fatalf("page %+v with %d ports", page, len(ports))
	}
	assertHostPort(t, ports[0], referenceHostPort())
}

func readReferenceFixture(t testing.TB) []byte {
	t.Helper()
	ports, ok := fakegraph.SampleData().CollectionJSON("8.8.8.8", fakegraph.CollectionPorts)
	if !ok {
		t.Fatal("the sample has no 8.8.8.8")
	}
	return []byte(`{"value":` + string(ports) + `}`)
}

func TestDecodeListPageEnvelope(t *testing.T) {
	for name, tc := range map[string]struct {
		body      string
		ports     []int32
		nextLink  string
		count     *int64
		wantError string
	}{
		"members in any order": {
			body:     `{"@odata.nextLink":"https://g/next","value":[{"port":1},{"port":2}],"@odata.count":7,"@odata.context":"x"}`,
			ports:    []int32{1, 2},
			nextLink: "https://g/next",
			count:    ptr[int64](7),
		},
		"unknown members of every shape are skipped": {
			body:  `{"a":{"b":[1,{"c":null}]},"value":[{"port":3,"extra":{"x":[1]}}],"z":[[]],"n":null,"s":"str"}`,
			ports: []int32{3},
		},
		"empty page":             {body: `{"value":[]}`},
		"null value":             {body: `{"value":null}`},
		"null nextLink":          {body: `{"value":[],"@odata.nextLink":null}`},
		"no value at all":        {body: `{}`},
		"value not an array":     {body: `{"value":{"port":1}}`, wantError: "not an array"},
		"not an object":          {body: `[1]`, wantError: "expected"},
		"empty body":             {body: ``, wantError: "unexpected EOF"},
		"truncated in value":     {body: `{"value":[{"port":1},{"po`, wantError: "value[1]"},
		"truncated after value":  {body: `{"value":[{"port":1}]`, wantError: "unexpected EOF"},
		"wrong item type":        {body: `{"value":[{"port":"443"}]}`, wantError: "value[0]"},
		"count not a number":     {body: `{"@odata.count":"7","value":[]}`, wantError: "@odata.count"},
		"nextLink not a string":  {body: `{"@odata.nextLink":5,"value":[]}`, wantError: "@odata.nextLink"},
		"port overflows int32":   {body: `{"value":[{"port":4294967296}]}`, wantError: "value[0]"},
		"garbage":                {body: `{"value":[{"id":}}}]`, wantError: "invalid character"},
		"unknown enum kept":      {body: `{"value":[{"port":9,"protocol":"sctp","status":"unknownFutureValue"}]}`, ports: []int32{9}},
		"byte-at-a-time reading": {body: `{"value":[{"port":1},{"port":2}]}`, ports: []int32{1, 2}},
	} {
		t.Run(name, func(t *testing.T) {
			var r io.Reader = strings.NewReader(tc.body)
			if name == "byte-at-a-time reading" {
				r = iotest.OneByteReader(r)
			}
			var ports []int32
			page, err := decodeListPage(r, func(p *HostPort) error {
				ports = append(ports, p.Port)
				return nil
			})
			if tc.wantError != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantError) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantError)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(ports, tc.ports) || page.NextLink != tc.nextLink || !reflect.DeepEqual(page.Count, tc.count) {
				t.Errorf("ports %v nextLink %q count %v; want %v %q %v", ports, page.NextLink, page.Count, tc.ports, tc.nextLink, tc.count)
			}
		})
	}
}

func TestDecodeListPageKeepsUnknownEnumMembers(t *testing.T) {
	var got HostPort
	_, err := decodeListPage(strings.NewReader(`{"value":[{"port":9,"protocol":"sctp","status":"unknownFutureValue"}]}`), func(p *HostPort) error {
		got = *p
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Protocol != "sctp" || got.Status != UnknownFutureValue {
		t.Errorf("protocol %q status %q, want them verbatim", got.Protocol, got.Status)
	}
}

func TestDecodeListPageStopsOnCallbackError(t *testing.T) {
	stop := errors.New("stop")
	calls := 0
	_, err := decodeListPage(strings.NewReader(`{"value":[{"port":1},{"port":2}]}`), func(*HostPort) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("err %v after %d calls, want the callback's error after 1", err, calls)
	}
}

// A published sample wraps the single hostPort in {"value": {...}}; Graph
// itself answers with the entity. Both decode to the same port.
func TestDecodeSingleAcceptsBothShapes(t *testing.T) {
	entity := `{"@odata.context":"x","id":"OC44LjguOCQkNDQz","port":443,"protocol":"tcp","status":"open","host":{"id":"85.13.139.18"},"mostRecentSslCertificate":{"id":"c1"}}`
	want := HostPort{ID: "OC44LjguOCQkNDQz", Port: 443, Protocol: "tcp", Status: "open",
		Host: &HostReference{ID: "85.13.139.18"}, MostRecentSslCertificate: &SslCertificate{ID: "c1"}}
	for name, body := range map[string]string{
		"entity":  entity,
		"wrapped": `{"@odata.context":"x","value":` + entity + `}`,
	} {
		got, err := decodeSingle[HostPort](strings.NewReader(body))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("%s: got %+v, want %+v", name, *got, want)
		}
	}
	for _, body := range []string{``, `{"id":"x","port":`, `not json`, `{"value":[1]}`, `null`, ` null `, `[]`, `"text"`} {
		if got, err := decodeSingle[HostPort](strings.NewReader(body)); err == nil {
			t.Errorf("decodeSingle[HostPort](%q) = %+v, want an error", body, got)
		}
	}
}

func TestLimitedBody(t *testing.T) {
	for name, tc := range map[string]struct {
		body    string
		limit   int64
		wantErr bool
	}{
		"under the limit":   {body: "abc", limit: 4},
		"exactly the limit": {body: "abcd", limit: 4},
		"one byte over":     {body: "abcde", limit: 4, wantErr: true},
		"far over":          {body: strings.Repeat("x", 10000), limit: 10, wantErr: true},
		"empty":             {body: "", limit: 1},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := io.ReadAll(&limitedBody{r: iotest.HalfReader(strings.NewReader(tc.body)), remaining: tc.limit, limit: tc.limit})
			if tc.wantErr {
				if !errors.Is(err, ErrResponseTooLarge) {
					t.Fatalf("err %v, want ErrResponseTooLarge", err)
				}
				if int64(len(got)) > tc.limit {
					t.Errorf("read %d bytes past a limit of %d", len(got), tc.limit)
				}
				return
			}
			if err != nil || string(got) != tc.body {
				t.Errorf("read %q, %v; want %q", got, err, tc.body)
			}
		})
	}
}
