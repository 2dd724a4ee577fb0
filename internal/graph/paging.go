package graph

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// collection is what listAll gathers from every page of a listing.
type collection[T any] struct {
	items []T
	// count is @odata.count from the first page, the only one where Graph
	// documents it as reliable.
	count *int64
	// pages is the number of pages fetched, one request each.
	pages int
}

// listAll fetches first and then follows @odata.nextLink until the
// collection or top (0: no limit) is exhausted. Every page is fetched
// exactly once; a nextLink is only followed when it stays on the configured
// endpoint's origin, under its API version's Threat Intelligence tree (see
// checkNextLink), and leads to a page not fetched before; at most
// maxPages pages are fetched. A page whose body breaks off is fetched
// again by the pipeline (see decodeBodyPolicy); the pages before it are
// kept. of names the collection's owner in errors ("host 8.8.8.8").
func listAll[T any](ctx context.Context, c *Client, first string, top int, of string) (*collection[T], error) {
	result := &collection[T]{}
	collect := func(item *T) error {
		if top == 0 || len(result.items) < top {
			result.items = append(result.items, *item)
		}
		return nil
	}
	link := first
	followed := map[string]bool{link: true}
	for {
		if result.pages == c.maxPages {
			return nil, fmt.Errorf("stopped after %d pages: Graph kept sending @odata.nextLink", c.maxPages)
		}
		var page listPage
		kept := len(result.items)
		err := c.fetch(ctx, link, fmt.Sprintf("page %d", result.pages+1), func(body io.Reader) error {
			// A page read again after its body broke off starts from the
			// items of the pages before it: the broken attempt's are dropped.
			clear(result.items[kept:])
			result.items = result.items[:kept]
			var err error
			page, err = decodeListPage(body, collect)
			return err
		})
		if err != nil {
			return nil, err
		}
		result.pages++
		if result.pages == 1 {
			result.count = page.Count
		}
		if page.NextLink == "" || (top > 0 && len(result.items) >= top) {
			return result, nil
		}
		if err := c.checkNextLink(page.NextLink); err != nil {
			return nil, err
		}
		if followed[page.NextLink] {
			return nil, fmt.Errorf("page %d of %s links back to a page already fetched (%s); Graph's paging is looping", result.pages, of, page.NextLink)
		}
		followed[page.NextLink] = true
		link = page.NextLink
	}
}

// threatIntelligencePath is the part of Graph, under the client's API
// version, that a nextLink may lead to: every collection this client pages
// through lives there, and the bearer token is sent with every page.
const threatIntelligencePath = "/security/threatIntelligence/"

// checkNextLink refuses, before any request is built for it, a nextLink that
// would leave the configured origin or lead outside the client's API
// version's Threat Intelligence tree. A nextLink is data from a response: a
// link to /users or to another API version on the same origin would be sent
// the bearer token, and its answer read as this collection's next page.
func (c *Client) checkNextLink(link string) error {
	next, err := url.Parse(link)
	if err != nil {
		return fmt.Errorf("the @odata.nextLink in the response is not a URL: %w", err)
	}
	if !next.IsAbs() || !sameOrigin(next, c.origin) {
		return fmt.Errorf("refused to follow @odata.nextLink %s: it leaves the configured Graph endpoint %s, which alone is trusted with the bearer token",
			next.Redacted(), c.origin)
	}
	scope := c.baseURL + threatIntelligencePath
	if reason := outsideScope(next, scope); reason != "" {
		return fmt.Errorf("refused to follow @odata.nextLink %s: %s; pages are only read under %s",
			next.Redacted(), reason, scope)
	}
	return nil
}

// outsideScope says why next, already known to be on the right origin, may
// not be followed under scope, or returns "" when it may.
//
// The path is judged in both its escaped form, which is what goes on the
// wire, and its decoded form, which is what a server or a proxy in between
// may route on: "%2e%2e" is ".." to the latter. Dot segments are refused
// outright rather than resolved, since a server resolving them differently
// from this client would read a path other than the one checked. Segment
// names compare case-insensitively, as Graph's do.
func outsideScope(next *url.URL, scope string) string {
	if next.User != nil {
		// Go would send them as Basic credentials on a request without a
		// bearer token; no Graph page needs them.
		return "it carries credentials"
	}
	base, err := url.Parse(scope)
	if err != nil {
		return "the configured endpoint is not a URL" // NewClient checked it, so this cannot happen
	}
	for _, form := range [...]struct{ path, scope string }{
		{next.EscapedPath(), base.EscapedPath()},
		{next.Path, base.Path},
	} {
		segments := pathSegments(form.path)
		for _, segment := range segments {
			if isDotSegment(segment) {
				return `its path holds a "." or ".." segment`
			}
		}
		if !underSegments(segments, pathSegments(form.scope)) {
			return "it leads outside the Threat Intelligence API of the configured API version"
		}
	}
	return ""
}

// pathSegments splits a path on "/" and on "\", which some servers (IIS
// among them) also take as a separator. Empty segments are kept, so that
// "/v1.0//security" does not pass for "/v1.0/security".
func pathSegments(path string) []string {
	return strings.Split(strings.ReplaceAll(path, `\`, "/"), "/")
}

// isDotSegment reports whether segment is "." or ".." once unescaped, as
// many times as it takes: a proxy that decodes before Graph does turns
// "%252e" into "%2e" and Graph turns that into ".".
func isDotSegment(segment string) bool {
	for range 4 {
		if segment == "." || segment == ".." {
			return true
		}
		decoded, err := url.PathUnescape(segment)
		if err != nil || decoded == segment {
			return false
		}
		segment = decoded
	}
	// Still unescaping after four rounds: no Graph path is escaped that
	// deep, so refuse rather than guess what the last decoder sees.
	return true
}

// underSegments reports whether path lies strictly below scope, whose last
// segment is the empty one after its trailing "/": path must go on with a
// named segment there.
func underSegments(path, scope []string) bool {
	if len(path) < len(scope) || path[len(scope)-1] == "" {
		return false
	}
	for i, name := range scope[:len(scope)-1] {
		if !strings.EqualFold(path[i], name) {
			return false
		}
	}
	return true
}
