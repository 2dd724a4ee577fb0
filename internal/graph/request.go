package graph

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// ErrResponseTooLarge is returned when a response body exceeds the client's
// MaxResponseBytes.
var ErrResponseTooLarge = errors.New("response body exceeds the configured size limit")

// link builds the URL of path (which starts with "/" and holds escaped
// segments) under the configured endpoint and API version, with the
// options' query string.
func (c *Client) link(path string, opts QueryOptions) string {
	link := c.baseURL + path
	if query := opts.encode(); query != "" {
		link += "?" + query
	}
	return link
}

// bodyDecoder decodes the body of a 200 answer. It runs once per attempt,
// each time on a fresh body, so it must start over on every call: whatever
// an earlier, broken attempt decoded is no longer wanted.
type bodyDecoder func(body io.Reader) error

// bodyDecoderKey carries a request's bodyDecoder through azcore's pipeline
// to decodeBodyPolicy.
type bodyDecoderKey struct{}

// fetch sends one GET for link and decodes the body of its 200 answer with
// decode. A body that breaks off while streaming in is fetched again, as
// decodeBodyPolicy explains; any status other than 200 becomes an *Error.
// what names the answer in errors ("page 2", "the hostPort").
func (c *Client) fetch(ctx context.Context, link, what string, decode bodyDecoder) error {
	// Every attempt of this fetch keeps the place in the gate's queue that
	// the first one took.
	ctx = withArrival(context.WithValue(ctx, bodyDecoderKey{}, decode), time.Now())
	req, err := runtime.NewRequest(ctx, http.MethodGet, link)
	if err != nil {
		return fmt.Errorf("building the request for %s: %w", link, err)
	}
	req.Raw().Header.Set("Accept", "application/json")
	// azcore reads whole bodies into memory by default; pages are streamed
	// into decode instead.
	runtime.SkipBodyDownload(req)
	resp, err := c.pipeline.Do(req)
	if err != nil {
		return c.fetchError(ctx, err, what)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return newError(resp)
	}
	return nil
}

// getOne reads one entity at link.
func getOne[T any](ctx context.Context, c *Client, link, what string) (*T, error) {
	var entity *T
	err := c.fetch(ctx, link, what, func(body io.Reader) error {
		var err error
		entity, err = decodeSingle[T](body)
		return err
	})
	if err != nil {
		return nil, err
	}
	return entity, nil
}

// countOf reads the bare integer Graph answers for a collection's /$count
// path (text/plain, possibly behind a byte-order mark).
func countOf(ctx context.Context, c *Client, link string) (int64, error) {
	var count int64
	err := c.fetch(ctx, link, "the count", func(body io.Reader) error {
		text, err := io.ReadAll(io.LimitReader(body, 64))
		if err != nil {
			return err
		}
		count, err = strconv.ParseInt(strings.TrimSpace(strings.TrimPrefix(string(text), "\uFEFF")), 10, 64)
		if err != nil {
			return fmt.Errorf("the count in the response, %q, is not a number", excerpt(text))
		}
		return nil
	})
	return count, err
}

// decodeBodyPolicy is the innermost per-retry policy: it decodes a 200
// answer's body inside the attempt that fetched it. A body that breaks off
// on the way (a reset connection, an unexpected EOF, an HTTP/2 stream
// error, the per-attempt timeout while reading) then fails its attempt like
// a dropped connection does, and azcore's retry policy sends the same
// request again within the same MaxRetries and with the same back-off it
// uses for a 503. Decoding after the pipeline returned would need a retry
// loop of its own, with a second budget and other delays.
//
// A body that arrived whole but does not decode (invalid JSON, JSON cut
// short by the server inside a well-framed message, a body over the size
// limit) is not retried: the same request would get the same bytes.
type decodeBodyPolicy struct{ maxBytes int64 }

func (p *decodeBodyPolicy) Do(req *policy.Request) (*http.Response, error) {
	resp, err := req.Next()
	if err != nil || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	decode, ok := req.Raw().Context().Value(bodyDecoderKey{}).(bodyDecoder)
	if !ok {
		return resp, nil
	}
	defer resp.Body.Close()
	if resp.ContentLength > p.maxBytes {
		return nil, wholeBodyError{&bodyError{resp: resp, err: fmt.Errorf("%w: Graph announced %d bytes, the limit is %d",
			ErrResponseTooLarge, resp.ContentLength, p.maxBytes)}}
	}
	wire := &wireReader{r: resp.Body}
	if err := decode(&limitedBody{r: wire, remaining: p.maxBytes, limit: p.maxBytes}); err != nil {
		broken := &bodyError{resp: resp, err: err}
		if wire.err != nil {
			return nil, broken
		}
		return nil, wholeBodyError{broken}
	}
	resp.Body = http.NoBody
	return resp, nil
}

// wireReader remembers the first error the connection returned while a
// body was read: it tells a body that broke off on the way from one that
// arrived whole and failed to decode.
type wireReader struct {
	r   io.Reader
	err error
}

func (w *wireReader) Read(p []byte) (int, error) {
	n, err := w.r.Read(p)
	if err != nil && err != io.EOF && w.err == nil {
		w.err = err
	}
	return n, err
}

// bodyError is a 200 answer whose body could not be read or decoded. It
// keeps the answer's status and request-id for the message the user sees.
type bodyError struct {
	resp *http.Response
	err  error
}

func (e *bodyError) Error() string { return e.err.Error() }
func (e *bodyError) Unwrap() error { return e.err }

// wholeBodyError is a bodyError that fetching again cannot mend. It wraps
// rather than embeds, so that errors.As still finds the *bodyError.
type wholeBodyError struct{ body *bodyError }

func (e wholeBodyError) Error() string { return e.body.Error() }
func (e wholeBodyError) Unwrap() error { return e.body }

// NonRetriable tells azcore's retry policy not to try again.
func (wholeBodyError) NonRetriable() {}

// limitedBody fails with ErrResponseTooLarge once more than limit bytes have
// been read, so an endless or hostile body cannot exhaust memory.
type limitedBody struct {
	r         io.Reader
	remaining int64
	limit     int64
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.remaining <= 0 {
		// Probe for one more byte: a body of exactly limit bytes is fine.
		var probe [1]byte
		if n, _ := l.r.Read(probe[:]); n > 0 {
			return 0, fmt.Errorf("%w (%d bytes)", ErrResponseTooLarge, l.limit)
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.remaining {
		p = p[:l.remaining]
	}
	n, err := l.r.Read(p)
	l.remaining -= int64(n)
	return n, err
}

// fetchError explains a failed fetch: the caller's cancellation, a
// per-attempt timeout, a body that broke off or did not decode on the last
// attempt, or a request that never got an answer.
func (c *Client) fetchError(ctx context.Context, err error, what string) error {
	if ctx.Err() != nil {
		return fmt.Errorf("reading %s from Graph was cancelled: %w", what, ctx.Err())
	}
	var body *bodyError
	if IsTimeout(err) {
		requestID := ""
		if errors.As(err, &body) {
			requestID = fmt.Sprintf(" (the last answer's request-id: %s)", orUnknown(body.resp.Header.Get("request-id")))
		}
		attempts := "on its only attempt"
		if c.attempts > 1 {
			attempts = fmt.Sprintf("on each of %d attempts", c.attempts)
		}
		return &explainedError{err: err, text: fmt.Sprintf("reading %s from Graph timed out: no complete answer within %s, %s%s",
			what, c.tryTimeout, attempts, requestID)}
	}
	if errors.As(err, &body) {
		requestID := orUnknown(body.resp.Header.Get("request-id"))
		return fmt.Errorf("reading %s of Graph's answer failed (HTTP %d, request-id: %s): %w", what, body.resp.StatusCode, requestID, body.err)
	}
	var origin *originError
	var redirect *redirectError
	if errors.As(err, &origin) || errors.As(err, &redirect) {
		return err
	}
	return fmt.Errorf("calling Graph: %w", err)
}

// explainedError replaces err's text with one that says all of it, and
// still unwraps to err.
type explainedError struct {
	err  error
	text string
}

func (e *explainedError) Error() string { return e.text }
func (e *explainedError) Unwrap() error { return e.err }
