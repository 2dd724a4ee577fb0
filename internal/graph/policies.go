package graph

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// originGuardPolicy runs before the bearer-token policy and refuses any
// request whose origin is not the configured endpoint, so no token is fetched
// for, or sent to, another host whatever URL reaches the pipeline.
type originGuardPolicy struct{ origin *url.URL }

func (p *originGuardPolicy) Do(req *policy.Request) (*http.Response, error) {
	if !sameOrigin(req.Raw().URL, p.origin) {
		return nil, &originError{url: req.Raw().URL.Redacted(), origin: p.origin.String()}
	}
	return req.Next()
}

// originError is returned when a URL (usually an @odata.nextLink) points away
// from the configured Graph endpoint.
type originError struct{ url, origin string }

func (e *originError) Error() string {
	return fmt.Sprintf("refused to send a request to %s: only %s is trusted with the bearer token", e.url, e.origin)
}

// NonRetriable tells azcore's retry policy not to try again.
func (e *originError) NonRetriable() {}

type userAgentPolicy struct{ userAgent string }

func (p *userAgentPolicy) Do(req *policy.Request) (*http.Response, error) {
	req.Raw().Header.Set("User-Agent", p.userAgent)
	return req.Next()
}

// retryAfterPolicy rewrites Retry-After into the retry-after-ms header that
// azcore's retry policy reads first. azcore parses Retry-After only as whole
// seconds or an RFC 1123 date, while Graph sends fractional seconds such as
// "2.128" and RFC 7231 allows two more date formats; unconverted, those would
// be ignored and replaced by an exponential guess.
type retryAfterPolicy struct{}

// maxRetryAfter is what a delta-seconds too large to represent stands for
// (RFC 9111, section 1.2.2: 2^31 seconds). Capping at it also keeps azcore's
// milliseconds-to-Duration conversion from overflowing into a negative delay,
// which it would replace with its own short exponential guess.
const maxRetryAfter = (1 << 31) * time.Second

func (retryAfterPolicy) Do(req *policy.Request) (*http.Response, error) {
	resp, err := req.Next()
	if err != nil || resp == nil {
		return resp, err
	}
	delay, ok := retryAfterDelay(resp.Header.Get("Retry-After"), time.Now())
	if ok && resp.Header.Get("retry-after-ms") == "" && resp.Header.Get("x-ms-retry-after-ms") == "" {
		// azcore ignores a zero value, so round a "retry now" up to 1 ms.
		ms := max(1, int64(math.Ceil(float64(min(delay, maxRetryAfter))/float64(time.Millisecond))))
		resp.Header.Set("retry-after-ms", strconv.FormatInt(ms, 10))
	}
	return resp, nil
}

// retryAfterDelay is how long a Retry-After value asks to wait: a number of
// seconds too large to parse waits the longest a delay can be.
func retryAfterDelay(value string, now time.Time) (time.Duration, bool) {
	delay, ok := parseRetryAfter(value, now)
	if !ok && isDeltaSeconds(value) {
		return maxRetryAfter, true
	}
	return delay, ok
}

// isDeltaSeconds reports whether value is RFC 9110's delta-seconds: digits only.
func isDeltaSeconds(value string) bool {
	value = strings.TrimSpace(value)
	return value != "" && strings.Trim(value, "0123456789") == ""
}

// parseRetryAfter reads delta-seconds (whole or fractional) or an HTTP date.
func parseRetryAfter(value string, now time.Time) (time.Duration, bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0, false
	}
	if seconds, err := strconv.ParseFloat(value, 64); err == nil {
		if seconds < 0 || math.IsNaN(seconds) || math.IsInf(seconds, 0) || seconds > math.MaxInt64/float64(time.Second) {
			return 0, false
		}
		return time.Duration(seconds * float64(time.Second)), true
	}
	if at, err := http.ParseTime(value); err == nil {
		return max(0, at.Sub(now)), true
	}
	return 0, false
}

// logPolicy reports each attempt to the caller's LogFunc. It records method,
// URL, status, timing and Graph's request ids, and never a header value.
type logPolicy struct{ log LogFunc }

func (p *logPolicy) Do(req *policy.Request) (*http.Response, error) {
	if p.log == nil {
		return req.Next()
	}
	ctx := req.Raw().Context()
	started := time.Now()
	resp, err := req.Next()
	fields := map[string]any{
		"method":      req.Raw().Method,
		"url":         req.Raw().URL.Redacted(),
		"duration_ms": time.Since(started).Milliseconds(),
	}
	if err != nil {
		fields["error"] = err.Error()
		// A body that broke off came with a status and request-id worth
		// logging: support needs them to trace the attempt.
		var body *bodyError
		if errors.As(err, &body) {
			fields["status"] = body.resp.StatusCode
			fields["request_id"] = body.resp.Header.Get("request-id")
		}
		p.log(ctx, "Graph request failed", fields)
		return resp, err
	}
	fields["status"] = resp.StatusCode
	fields["request_id"] = resp.Header.Get("request-id")
	fields["client_request_id"] = resp.Header.Get("client-request-id")
	if retryAfter := resp.Header.Get("Retry-After"); retryAfter != "" {
		fields["retry_after"] = retryAfter
	}
	p.log(ctx, "Graph response", fields)
	return resp, nil
}

var (
	_ policy.Policy = (*originGuardPolicy)(nil)
	_ policy.Policy = (*userAgentPolicy)(nil)
	_ policy.Policy = retryAfterPolicy{}
	_ policy.Policy = (*logPolicy)(nil)
)
