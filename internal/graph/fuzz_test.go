package graph

import (
	"bytes"
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"
)

func FuzzDecodeListPage(f *testing.F) {
	f.Add(readReferenceFixture(f))
	for _, seed := range []string{
		`{"@odata.context":"x","@odata.count":3,"value":[{"id":"a","port":1},{"id":"b","port":2,"host":{"id":"h"}}],"@odata.nextLink":"https://graph.microsoft.com/v1.0/x?$skiptoken=1"}`,
		`{"value":[]}`,
		`{"value":null,"@odata.nextLink":null}`,
		`{"value":[{"firstSeenDateTime":"2023-17-18T23:24:01Z","timesObserved":null,"banners":null}]}`,
		`{"value":[{"mostRecentSslCertificate":{"id":"c","issuer":{"alternateNames":["a"],"address":{"city":"x"}}}}]}`,
		`{"a":[{"b":{}}],"value":[{"port":1}]} trailing`,
		`{"value":[{"id":}}}]`,
		`{"value":[{"port":1},`,
		`[]`,
		``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var streamed []HostPort
		page, err := decodeListPage(bytes.NewReader(data), func(p *HostPort) error {
			streamed = append(streamed, *p)
			return nil
		})
		if err != nil {
			return
		}
		// The outcome does not depend on how the body arrives.
		var trickled []HostPort
		page2, err := decodeListPage(iotest.OneByteReader(bytes.NewReader(data)), func(p *HostPort) error {
			trickled = append(trickled, *p)
			return nil
		})
		if err != nil || !reflect.DeepEqual(streamed, trickled) || !reflect.DeepEqual(page, page2) {
			t.Fatalf("byte-at-a-time decoding differs: %v", err)
		}
		// Every decoded port can be encoded again.
		for i := range streamed {
			if _, err := json.Marshal(streamed[i]); err != nil {
				t.Fatalf("port %d cannot be re-encoded: %v", i, err)
			}
		}
		// The streaming decoder agrees with decoding the whole envelope at
		// once, unless the envelope repeats a member (where the two
		// approaches legitimately differ: appending versus last-one-wins).
		keys, ok := topLevelKeys(data)
		if !ok {
			t.Fatalf("decodeListPage accepted %q, which is not one JSON object", data)
		}
		if hasDuplicates(keys) {
			return
		}
		var envelope map[string]json.RawMessage
		if err := json.NewDecoder(bytes.NewReader(data)).Decode(&envelope); err != nil {
			t.Fatalf("decodeListPage accepted what encoding/json refuses: %v", err)
		}
		var whole []HostPort
		if raw, ok := envelope["value"]; ok {
			if err := json.Unmarshal(raw, &whole); err != nil {
				t.Fatalf("value decodes in a stream but not whole: %v", err)
			}
		}
		if len(whole) != len(streamed) || (len(whole) > 0 && !reflect.DeepEqual(whole, streamed)) {
			t.Fatalf("streamed %d ports, whole-body decoding %d (or they differ)", len(streamed), len(whole))
		}
		var next *string
		if raw, ok := envelope["@odata.nextLink"]; ok {
			_ = json.Unmarshal(raw, &next)
		}
		if (next == nil && page.NextLink != "") || (next != nil && *next != page.NextLink) {
			t.Fatalf("nextLink %q, whole-body decoding %v", page.NextLink, next)
		}
		var count *int64
		if raw, ok := envelope["@odata.count"]; ok {
			_ = json.Unmarshal(raw, &count)
		}
		if !reflect.DeepEqual(count, page.Count) {
			t.Fatalf("count %v, whole-body decoding %v", page.Count, count)
		}
	})
}

// topLevelKeys lists the member names of the first JSON value in data, which
// must be an object.
func topLevelKeys(data []byte) ([]string, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		key, isKey := tok.(string)
		if err != nil || !isKey {
			return nil, false
		}
		keys = append(keys, key)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, false
		}
	}
	tok, err := dec.Token()
	return keys, err == nil && tok == json.Delim('}')
}

func hasDuplicates(keys []string) bool {
	seen := map[string]bool{}
	for _, k := range keys {
		if seen[k] {
			return true
		}
		seen[k] = true
	}
	return false
}

func FuzzParseErrorBody(f *testing.F) {
	for _, seed := range []struct{ body, header string }{
		{`{"error":{"code":"itemNotFound","message":"m","innerError":{"request-id":"r","client-request-id":"c","date":"2023-04-10T18:05:00"}}}`, ""},
		{`{"error":{"code":"x","innererror":{"requestId":"r","clientRequestId":"c"}}}`, "h"},
		{`{"error":"str"}`, ""},
		{"<!DOCTYPE html>\n<html><body>502 Bad Gateway</body></html>", "h"},
		{"", ""},
		{"\xff\xfe", ""},
		{strings.Repeat("é ", 500), ""},
	} {
		f.Add([]byte(seed.body), seed.header)
	}
	f.Fuzz(func(t *testing.T, body []byte, headerID string) {
		e := Error{StatusCode: 429, RequestID: headerID}
		parseErrorBody(&e, body)
		if headerID != "" && e.RequestID != headerID {
			t.Fatalf("the request-id header %q was replaced by %q", headerID, e.RequestID)
		}
		if e.StatusCode != 429 {
			t.Fatalf("status changed to %d", e.StatusCode)
		}
		if e.Code != "" || e.Message != "" {
			if e.Excerpt != "" {
				t.Fatalf("both an envelope and an excerpt: %+v", e)
			}
		} else if e.Excerpt != excerpt(body) {
			t.Fatalf("excerpt %q, want %q", e.Excerpt, excerpt(body))
		}
		if !utf8.ValidString(e.Excerpt) || utf8.RuneCountInString(e.Excerpt) > maxExcerptRunes+1 || strings.ContainsAny(e.Excerpt, "\n\r\t") {
			t.Fatalf("excerpt is not one bounded line of text: %q", e.Excerpt)
		}
		msg := e.Error()
		if !strings.HasPrefix(msg, "HTTP 429 Too Many Requests") || !strings.HasSuffix(msg, ")") || !strings.Contains(msg, "(request-id: ") {
			t.Fatalf("message %q", msg)
		}
		if !IsThrottled(&e) || IsNotFound(&e) {
			t.Fatal("classification changed")
		}
	})
}

func FuzzValidateHostID(f *testing.F) {
	for _, seed := range []string{
		"8.8.8.8", "2001:db8::1", "::ffff:1.2.3.4", "xn--bcher-kva.example", "contoso.com", "localhost",
		"..", ".", "a/b", "?", "#", "%2e%2e", "[::1]", "fe80::1%eth0", "bücher.example", " 8.8.8.8", "1.2.3", "",
		strings.Repeat("a", 63) + ".com", "a..b", "-a.com",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// Whatever a hostPort id holds, escaping keeps it one segment that
		// unescapes to exactly the id.
		if s != "" {
			assertOneSegment(t, s)
		}
		if err := ValidateHostID(s); err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		assertOneSegment(t, s)
		if len(s) > maxHostNameLength && !strings.Contains(s, ":") {
			t.Fatalf("accepted a host name of %d characters", len(s))
		}
		for _, r := range s {
			if r <= ' ' || r >= 0x7f || strings.ContainsRune("/?#%[]@\\ ", r) {
				t.Fatalf("accepted %q holding %q", s, r)
			}
		}
	})
}

func assertOneSegment(t *testing.T, s string) {
	t.Helper()
	escaped := escapePathSegment(s)
	if strings.ContainsAny(escaped, "/?#") || escaped == "." || escaped == ".." || escaped == "" {
		t.Fatalf("escapePathSegment(%q) = %q is not one opaque segment", s, escaped)
	}
	if back, err := url.PathUnescape(escaped); err != nil || back != s {
		t.Fatalf("escapePathSegment(%q) = %q unescapes to %q, %v", s, escaped, back, err)
	}
	u, err := url.Parse("https://graph.microsoft.com/v1.0/security/threatIntelligence/hostPorts/" + escaped)
	if err != nil {
		t.Fatalf("%q does not fit in a URL: %v", escaped, err)
	}
	if segs := strings.Split(u.EscapedPath(), "/"); len(segs) != 6 || segs[5] != escaped {
		t.Fatalf("escapePathSegment(%q) = %q becomes path %q", s, escaped, u.EscapedPath())
	}
}
