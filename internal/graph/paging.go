package graph

import (
	"context"
	"fmt"
	"io"
	"net/url"
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
// endpoint's origin and leads to a page not fetched before; at most
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
