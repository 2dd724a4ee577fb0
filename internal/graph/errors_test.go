package graph

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph/fakegraphtest"
)

func TestNotFoundCarriesGraphsIdentifiers(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{})
	opts := testOptions(t, s)
	rec := &recordingTransport{next: opts.Transport}
	opts.Transport = rec
	c := newClient(t, opts)

	list, err := c.ListHostPorts(context.Background(), "unknown.example", QueryOptions{})
	if list != nil || !IsNotFound(err) || IsUnauthorized(err) || IsThrottled(err) {
		t.Fatalf("got %v, %v; want only IsNotFound", list, err)
	}
	var graphErr *Error
	if !errors.As(err, &graphErr) {
		t.Fatalf("%T is not an *Error", err)
	}
	ex := rec.exchanges()
	if len(ex) != 1 {
		t.Fatalf("%d exchanges", len(ex))
	}
	if graphErr.StatusCode != 404 || graphErr.Code != "itemNotFound" || !strings.Contains(graphErr.Message, "unknown.example") {
		t.Errorf("%+v", graphErr)
	}
	if graphErr.RequestID == "" || graphErr.RequestID != ex[0].requestID {
		t.Errorf("RequestID %q, want the request-id header %q", graphErr.RequestID, ex[0].requestID)
	}
	if graphErr.ClientRequestID == "" || graphErr.Date == "" || graphErr.Excerpt != "" {
		t.Errorf("client-request-id %q, date %q, excerpt %q", graphErr.ClientRequestID, graphErr.Date, graphErr.Excerpt)
	}
	msg := err.Error()
	for _, part := range []string{"HTTP 404 Not Found", `Graph error code "itemNotFound"`, "request-id: " + ex[0].requestID, "client-request-id: " + graphErr.ClientRequestID} {
		if !strings.Contains(msg, part) {
			t.Errorf("%q lacks %q", msg, part)
		}
	}
	if !IsNotFound(fmt.Errorf("reading host ports: %w", err)) {
		t.Error("IsNotFound should see through wrapping")
	}
}

func TestErrorStatuses(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{})
	opts := testOptions(t, s)
	opts.Retry.MaxRetries = -1 // one attempt each, so proxy pages are seen as sent
	c := newClient(t, opts)
	for name, tc := range map[string]struct {
		fault        fakegraph.Fault
		status       int
		code         string
		unauthorized bool
		inMessage    []string
	}{
		"403 accessDenied": {
			fault:  fakegraph.Fault{Kind: fakegraph.KindGraphError, Status: 403, Code: "accessDenied"},
			status: 403, code: "accessDenied", unauthorized: true,
			inMessage: []string{"HTTP 403 Forbidden", `"accessDenied"`, "Injected error accessDenied."},
		},
		"401": {
			fault:  fakegraph.Fault{Kind: fakegraph.KindGraphError, Status: 401, Code: "InvalidAuthenticationToken"},
			status: 401, code: "InvalidAuthenticationToken", unauthorized: true,
		},
		"HTML 502 from a proxy": {
			fault:     fakegraph.Fault{Kind: fakegraph.KindHTMLError},
			status:    502,
			inMessage: []string{"HTTP 502 Bad Gateway", `response body begins "<!DOCTYPE html> <html><head><title>502 Bad Gateway</title>`, "corporate-proxy/1.0"},
		},
		"empty 500": {
			fault:     fakegraph.Fault{Kind: fakegraph.KindEmptyBody500},
			status:    500,
			inMessage: []string{"HTTP 500 Internal Server Error; the response body was empty (request-id: "},
		},
		"plain text 418": {
			fault:     fakegraph.Fault{Kind: fakegraph.KindStatus, Status: 418},
			status:    418,
			inMessage: []string{`HTTP 418 I'm a teapot; response body begins "I'm a teapot"`},
		},
	} {
		t.Run(name, func(t *testing.T) {
			s.ClearFaults()
			tc.fault.Route = fakegraph.RouteList
			s.AddFault(tc.fault)
			_, err := c.ListHostPorts(context.Background(), "8.8.8.8", QueryOptions{})
			var graphErr *Error
			if !errors.As(err, &graphErr) {
				t.Fatalf("%v (%T), want an *Error", err, err)
			}
			if graphErr.StatusCode != tc.status || graphErr.Code != tc.code || IsUnauthorized(err) != tc.unauthorized {
				t.Errorf("got status %d code %q unauthorized %v", graphErr.StatusCode, graphErr.Code, IsUnauthorized(err))
			}
			if graphErr.RequestID == "" || strings.Contains(err.Error(), "none returned") {
				t.Errorf("%q should carry the request-id header", err)
			}
			for _, part := range tc.inMessage {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("%q lacks %q", err, part)
				}
			}
		})
	}
}

func TestParseErrorBody(t *testing.T) {
	for name, tc := range map[string]struct {
		body      string
		headerID  string
		want      Error
		excerptOf string
	}{
		"documented envelope": {
			body: `{"error":{"code":"itemNotFound","message":"gone","innerError":{"request-id":"r1","client-request-id":"c1","date":"2023-04-10T18:05:00"}}}`,
			want: Error{Code: "itemNotFound", Message: "gone", RequestID: "r1", ClientRequestID: "c1", Date: "2023-04-10T18:05:00"},
		},
		"innererror in lower case": {
			body: `{"error":{"code":"x","message":"m","innererror":{"request-id":"r2","date":"d"}}}`,
			want: Error{Code: "x", Message: "m", RequestID: "r2", Date: "d"},
		},
		"camel-case ids": {
			body: `{"error":{"code":"x","innerError":{"requestId":"r3","clientRequestId":"c3"}}}`,
			want: Error{Code: "x", RequestID: "r3", ClientRequestID: "c3"},
		},
		"ERROR in capitals": {
			body: `{"ERROR":{"CODE":"accessDenied","Message":"no"}}`,
			want: Error{Code: "accessDenied", Message: "no"},
		},
		"header wins over body": {
			body:     `{"error":{"code":"x","innerError":{"request-id":"from-body"}}}`,
			headerID: "from-header",
			want:     Error{Code: "x", RequestID: "from-header"},
		},
		"message only": {
			body: `{"error":{"message":"only a message"}}`,
			want: Error{Message: "only a message"},
		},
		"no inner error": {
			body: `{"error":{"code":"generalException","message":"m"}}`,
			want: Error{Code: "generalException", Message: "m"},
		},
		"error as a string":    {body: `{"error":"invalid_request"}`, excerptOf: `{"error":"invalid_request"}`},
		"empty error object":   {body: `{"error":{}}`, excerptOf: `{"error":{}}`},
		"JSON but no envelope": {body: `{"status":500}`, excerptOf: `{"status":500}`},
		"HTML":                 {body: "<html>\n  <body>\tBad   gateway</body>\n</html>", excerptOf: "<html> <body> Bad gateway</body> </html>"},
		"empty":                {body: ``, excerptOf: ``},
		"invalid UTF-8":        {body: "bad \xff\xfe bytes", excerptOf: "bad \uFFFD bytes"},
	} {
		t.Run(name, func(t *testing.T) {
			got := Error{StatusCode: 400, RequestID: tc.headerID}
			parseErrorBody(&got, []byte(tc.body))
			want := tc.want
			want.StatusCode = 400
			if tc.want == (Error{}) {
				want.RequestID = tc.headerID
				want.Excerpt = tc.excerptOf
			}
			if got != want {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestExcerptIsBounded(t *testing.T) {
	long := strings.Repeat("é", 1000)
	got := excerpt([]byte(long))
	if utf8.RuneCountInString(got) != maxExcerptRunes+1 || !strings.HasSuffix(got, "…") || !utf8.ValidString(got) {
		t.Errorf("excerpt of 1000 runes: %d runes", utf8.RuneCountInString(got))
	}
	if got := excerpt([]byte(strings.Repeat("a", maxExcerptRunes))); got != strings.Repeat("a", maxExcerptRunes) {
		t.Errorf("an excerpt at the limit was cut: %q", got)
	}
}

// countingReader reports how much of a body was consumed.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func TestNewErrorReadsABoundedBody(t *testing.T) {
	body := &countingReader{r: strings.NewReader(strings.Repeat("<p>proxy</p>", 100000))}
	resp := &http.Response{
		StatusCode: 502,
		Header:     http.Header{"Request-Id": {"rid"}, "Client-Request-Id": {"cid"}, "Retry-After": {"7"}},
		Body:       io.NopCloser(body),
	}
	e := newError(resp)
	if body.n > maxErrorBodyBytes {
		t.Errorf("read %d bytes of an error body, limit %d", body.n, maxErrorBodyBytes)
	}
	if e.StatusCode != 502 || e.RequestID != "rid" || e.ClientRequestID != "cid" || e.RetryAfter != "7" || !strings.HasPrefix(e.Excerpt, "<p>proxy</p>") {
		t.Errorf("%+v", e)
	}
	want := `HTTP 502 Bad Gateway; response body begins "<p>proxy</p>`
	if !strings.HasPrefix(e.Error(), want) || !strings.HasSuffix(e.Error(), "(request-id: rid, client-request-id: cid, Retry-After: 7)") {
		t.Errorf("Error() = %q", e.Error())
	}
}

func TestErrorMessageWithoutIdentifiers(t *testing.T) {
	e := &Error{StatusCode: 503}
	if got, want := e.Error(), "HTTP 503 Service Unavailable; the response body was empty (request-id: none returned)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
