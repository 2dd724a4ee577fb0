package graph

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

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

// bodyDecoder decodes the body of a 200 answer.
type bodyDecoder func(body io.Reader) error

// fetch sends one GET for link and hands the body of a 200 answer, bounded
// by the size limit, to read. Any other status becomes an *Error. what names
// the answer in errors ("page 2", "the hostPort").
func (c *Client) fetch(ctx context.Context, link, what string, read bodyDecoder) error {
	resp, err := c.get(ctx, link)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := read(c.limitBody(resp)); err != nil {
		return c.readError(ctx, err, what, resp)
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

// get sends one GET through the pipeline and returns a 200 response whose
// body the caller streams and closes; any other status becomes an *Error.
func (c *Client) get(ctx context.Context, link string) (*http.Response, error) {
	req, err := runtime.NewRequest(ctx, http.MethodGet, link)
	if err != nil {
		return nil, fmt.Errorf("building the request for %s: %w", link, err)
	}
	req.Raw().Header.Set("Accept", "application/json")
	// azcore reads whole bodies into memory by default; pages are streamed.
	runtime.SkipBodyDownload(req)
	resp, err := c.pipeline.Do(req)
	if err != nil {
		return nil, c.transportError(ctx, err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		return nil, newError(resp)
	}
	if resp.ContentLength > c.maxResponseBytes {
		resp.Body.Close()
		return nil, fmt.Errorf("%w: Graph announced %d bytes, the limit is %d (request-id: %s)",
			ErrResponseTooLarge, resp.ContentLength, c.maxResponseBytes, orUnknown(resp.Header.Get("request-id")))
	}
	return resp, nil
}

func (c *Client) limitBody(resp *http.Response) io.Reader {
	return &limitedBody{r: resp.Body, remaining: c.maxResponseBytes, limit: c.maxResponseBytes}
}

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

// transportError explains a failure that produced no response: the caller's
// cancellation, a per-attempt timeout, or a network error.
func (c *Client) transportError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("the request to Graph was cancelled: %w", ctx.Err())
	}
	if c.tryTimeout > 0 && errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("the request to Graph timed out: no complete answer within the %s limit per attempt, after every retry: %w", c.tryTimeout, err)
	}
	var origin *originError
	var redirect *redirectError
	if errors.As(err, &origin) || errors.As(err, &redirect) {
		return err
	}
	return fmt.Errorf("calling Graph: %w", err)
}

// readError explains a failure while a 200 body was streaming in: truncated
// or malformed JSON, a dropped connection, a body over the limit.
func (c *Client) readError(ctx context.Context, err error, what string, resp *http.Response) error {
	if ctx.Err() != nil {
		return fmt.Errorf("reading %s from Graph was cancelled: %w", what, ctx.Err())
	}
	if c.tryTimeout > 0 && errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("reading %s from Graph timed out after the %s limit per attempt (request-id: %s): %w",
			what, c.tryTimeout, orUnknown(resp.Header.Get("request-id")), err)
	}
	return fmt.Errorf("reading %s of Graph's answer failed (HTTP %d, request-id: %s): %w",
		what, resp.StatusCode, orUnknown(resp.Header.Get("request-id")), err)
}
