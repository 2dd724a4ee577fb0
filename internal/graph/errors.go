package graph

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"
)

// maxErrorBodyBytes bounds how much of an error response is read: an error
// envelope is small, and a proxy's HTML page needs only an excerpt.
const (
	maxErrorBodyBytes = 64 << 10
	maxExcerptRunes   = 200
)

// Error is a failed Graph call: the HTTP status, Graph's error code and
// message, and the identifiers Microsoft support asks for.
type Error struct {
	StatusCode      int
	Code            string
	Message         string
	RequestID       string
	ClientRequestID string
	Date            string
	// RetryAfter is the server's Retry-After header, kept for throttling
	// errors that outlived the retry policy.
	RetryAfter string
	// Excerpt holds the start of a body that was not Graph's JSON envelope
	// (an HTML page from a proxy, plain text), so the user sees what came back.
	Excerpt string
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.Code != "" {
		fmt.Fprintf(&b, ", Graph error code %q", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.Excerpt != "" {
		fmt.Fprintf(&b, "; response body begins %q", e.Excerpt)
	} else if e.Code == "" && e.Message == "" {
		b.WriteString("; the response body was empty")
	}
	fmt.Fprintf(&b, " (request-id: %s", orUnknown(e.RequestID))
	if e.ClientRequestID != "" {
		fmt.Fprintf(&b, ", client-request-id: %s", e.ClientRequestID)
	}
	if e.Date != "" {
		fmt.Fprintf(&b, ", date: %s", e.Date)
	}
	if e.RetryAfter != "" {
		fmt.Fprintf(&b, ", Retry-After: %s", e.RetryAfter)
	}
	b.WriteString(")")
	return b.String()
}

func orUnknown(s string) string {
	if s == "" {
		return "none returned"
	}
	return s
}

// IsNotFound reports whether err is Graph's 404.
func IsNotFound(err error) bool { return hasStatus(err, http.StatusNotFound) }

// IsUnauthorized reports whether err is a 401 or 403: a token Graph refused,
// or a caller without the permission or licence.
func IsUnauthorized(err error) bool {
	return hasStatus(err, http.StatusUnauthorized) || hasStatus(err, http.StatusForbidden)
}

// IsThrottled reports whether err is a 429 that outlasted the retries.
func IsThrottled(err error) bool { return hasStatus(err, http.StatusTooManyRequests) }

func hasStatus(err error, status int) bool {
	var graphErr *Error
	return errors.As(err, &graphErr) && graphErr.StatusCode == status
}

// errorEnvelope accepts the casing drift seen in Graph's error bodies:
// innerError/innererror and request-id/requestId. encoding/json matches keys
// case-insensitively, so only the spelling variants need their own fields.
type errorEnvelope struct {
	Error *struct {
		Code       string     `json:"code"`
		Message    string     `json:"message"`
		InnerError innerError `json:"innerError"`
	} `json:"error"`
}

type innerError struct {
	RequestID          string `json:"request-id"`
	RequestIDAlt       string `json:"requestId"`
	ClientRequestID    string `json:"client-request-id"`
	ClientRequestIDAlt string `json:"clientRequestId"`
	Date               string `json:"date"`
}

// newError reads a failed response into an *Error. It never fails: whatever
// the body holds, the status and headers are enough for a useful message.
func newError(resp *http.Response) *Error {
	e := &Error{
		StatusCode:      resp.StatusCode,
		RequestID:       resp.Header.Get("request-id"),
		ClientRequestID: resp.Header.Get("client-request-id"),
		RetryAfter:      resp.Header.Get("Retry-After"),
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodyBytes))
	parseErrorBody(e, body)
	return e
}

// parseErrorBody fills e from a Graph error envelope, or keeps an excerpt of
// a body that is not one.
func parseErrorBody(e *Error, body []byte) {
	var envelope errorEnvelope
	if err := json.Unmarshal(body, &envelope); err == nil && envelope.Error != nil &&
		(envelope.Error.Code != "" || envelope.Error.Message != "") {
		inner := envelope.Error.InnerError
		e.Code = envelope.Error.Code
		e.Message = envelope.Error.Message
		e.RequestID = firstNonEmpty(e.RequestID, inner.RequestID, inner.RequestIDAlt)
		e.ClientRequestID = firstNonEmpty(e.ClientRequestID, inner.ClientRequestID, inner.ClientRequestIDAlt)
		e.Date = inner.Date
		return
	}
	e.Excerpt = excerpt(body)
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// excerpt returns the start of body as printable text, with runs of white
// space collapsed so an HTML page reads as one line.
func excerpt(body []byte) string {
	text := strings.Join(strings.Fields(strings.ToValidUTF8(string(body), "\uFFFD")), " ")
	if utf8.RuneCountInString(text) <= maxExcerptRunes {
		return text
	}
	runes := []rune(text)
	return string(runes[:maxExcerptRunes]) + "…"
}
