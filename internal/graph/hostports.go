package graph

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// HostPortList is the result of ListHostPorts.
type HostPortList struct {
	Ports []HostPort
	// Count is @odata.count from the first page, when ListOptions.Count was set.
	Count *int64
	// Pages is the number of pages fetched, one request each.
	Pages int
}

// ListHostPorts lists what Defender TI observed on the ports of hostID,
// following @odata.nextLink until the collection or opts.Top is exhausted.
// Every page is fetched exactly once, and a nextLink is only followed when it
// stays on the configured endpoint's origin.
func (c *Client) ListHostPorts(ctx context.Context, hostID string, opts ListOptions) (*HostPortList, error) {
	if err := ValidateHostID(hostID); err != nil {
		return nil, err
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	link := c.baseURL + "/security/threatIntelligence/hosts/" + escapePathSegment(hostID) + "/ports"
	if query := opts.query(); query != "" {
		link += "?" + query
	}

	result := &HostPortList{}
	collect := func(hostPort *HostPort) error {
		if opts.Top == 0 || len(result.Ports) < opts.Top {
			result.Ports = append(result.Ports, *hostPort)
		}
		return nil
	}
	followed := map[string]bool{link: true}
	for {
		if result.Pages == c.maxPages {
			return nil, fmt.Errorf("stopped after %d pages: Graph kept sending @odata.nextLink", c.maxPages)
		}
		page, err := c.fetchPage(ctx, link, result.Pages+1, collect)
		if err != nil {
			return nil, err
		}
		result.Pages++
		if result.Pages == 1 {
			result.Count = page.Count
		}
		if page.NextLink == "" || (opts.Top > 0 && len(result.Ports) >= opts.Top) {
			return result, nil
		}
		if err := c.checkNextLink(page.NextLink); err != nil {
			return nil, err
		}
		if followed[page.NextLink] {
			return nil, fmt.Errorf("page %d of host %s links back to a page already fetched (%s); Graph's paging is looping", result.Pages, hostID, page.NextLink)
		}
		followed[page.NextLink] = true
		link = page.NextLink
	}
}

// checkNextLink refuses a nextLink that would leave the configured origin,
// before any request is built for it.
func (c *Client) checkNextLink(link string) error {
	next, err := url.Parse(link)
	if err != nil {
		return fmt.Errorf("the @odata.nextLink in the response is not a URL: %w", err)
	}
	if !next.IsAbs() || !sameOrigin(next, c.origin) {
		return fmt.Errorf("refused to follow @odata.nextLink %s: it leaves the configured Graph endpoint %s, which alone is trusted with the bearer token",
			next.Redacted(), c.origin)
	}
	return nil
}

func (c *Client) fetchPage(ctx context.Context, link string, number int, each func(*HostPort) error) (listPage, error) {
	resp, err := c.get(ctx, link)
	if err != nil {
		return listPage{}, err
	}
	defer resp.Body.Close()
	page, err := decodeListPage(c.limitBody(resp), each)
	if err != nil {
		return listPage{}, c.readError(ctx, err, fmt.Sprintf("page %d", number), resp)
	}
	return page, nil
}

// GetHostPort reads one hostPort by its opaque id.
func (c *Client) GetHostPort(ctx context.Context, hostPortID string, opts GetOptions) (*HostPort, error) {
	if hostPortID == "" {
		return nil, errors.New("a hostPort id must not be empty")
	}
	if err := ValidateSelect(opts.Select); err != nil {
		return nil, err
	}
	link := c.baseURL + "/security/threatIntelligence/hostPorts/" + escapePathSegment(hostPortID)
	if query := opts.query(); query != "" {
		link += "?" + query
	}
	resp, err := c.get(ctx, link)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	hostPort, err := decodeSingle(c.limitBody(resp))
	if err != nil {
		return nil, c.readError(ctx, err, "the hostPort", resp)
	}
	return hostPort, nil
}

// CountHostPorts asks Graph how many ports it holds for hostID, without
// listing them.
func (c *Client) CountHostPorts(ctx context.Context, hostID string) (int64, error) {
	if err := ValidateHostID(hostID); err != nil {
		return 0, err
	}
	resp, err := c.get(ctx, c.baseURL+"/security/threatIntelligence/hosts/"+escapePathSegment(hostID)+"/ports/$count")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64))
	if err != nil {
		return 0, c.readError(ctx, err, "the count", resp)
	}
	count, err := strconv.ParseInt(strings.TrimSpace(strings.TrimPrefix(string(body), "\uFEFF")), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("the count in the response, %q, is not a number (request-id: %s)", excerpt(body), orUnknown(resp.Header.Get("request-id")))
	}
	return count, nil
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
