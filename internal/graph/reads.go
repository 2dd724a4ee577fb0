package graph

import (
	"context"
	"fmt"
)

// The three shapes of read Defender TI offers for what it knows about a
// host. Each entity declares its reads as values of these types (a path
// segment and the entity's property names); the one List and the two Gets
// below do the rest on the shared paging, decoding and request code.

// HostCollection is a collection under a host, such as its ports:
// GET /security/threatIntelligence/hosts/{hostId}/{Segment}.
type HostCollection[T any] struct {
	Segment string
	entity  entityType
}

// HostEntity is one entity under a host, such as its reputation:
// GET /security/threatIntelligence/hosts/{hostId}/{Segment}; an empty
// Segment is the host itself.
type HostEntity[T any] struct {
	Segment string
	entity  entityType
}

// EntityByID is one entity read by its own id, such as a hostPort:
// GET /security/threatIntelligence/{Collection}/{id}.
type EntityByID[T any] struct {
	Collection string
	entity     entityType
}

// List is what a HostCollection read yields.
type List[T any] struct {
	Items []T
	// Count is @odata.count from the first page, when QueryOptions.Count was set.
	Count *int64
	// Pages is the number of pages fetched, one request each.
	Pages int
}

// Properties are the names $select accepts for the collection's entity, in
// the order Graph's metadata lists them.
func (h HostCollection[T]) Properties() []string { return h.entity.properties }

// Properties are the names $select accepts for the entity.
func (h HostEntity[T]) Properties() []string { return h.entity.properties }

// Properties are the names $select accepts for the entity.
func (e EntityByID[T]) Properties() []string { return e.entity.properties }

// hostPath is the path of hostID, escaped so it stays one path segment
// whatever it holds.
func hostPath(hostID string) string {
	return "/security/threatIntelligence/hosts/" + escapePathSegment(hostID)
}

// List reads the whole collection under hostID, following @odata.nextLink
// until the collection or opts.Top is exhausted. Every page is fetched
// exactly once, and a nextLink is only followed when it stays on the
// configured endpoint's origin, under its API version's Threat Intelligence
// tree.
func (h HostCollection[T]) List(ctx context.Context, c *Client, hostID string, opts QueryOptions) (*List[T], error) {
	if err := ValidateHostID(hostID); err != nil {
		return nil, err
	}
	if err := opts.validateList(h.entity); err != nil {
		return nil, err
	}
	link := c.link(hostPath(hostID)+"/"+h.Segment, opts)
	list, err := listAll[T](ctx, c, link, opts.Top, "host "+hostID)
	if err != nil {
		return nil, err
	}
	return &List[T]{Items: list.items, Count: list.count, Pages: list.pages}, nil
}

// Count asks Graph how many items the collection under hostID holds,
// without listing them.
func (h HostCollection[T]) Count(ctx context.Context, c *Client, hostID string) (int64, error) {
	if err := ValidateHostID(hostID); err != nil {
		return 0, err
	}
	return countOf(ctx, c, c.link(hostPath(hostID)+"/"+h.Segment+"/$count", QueryOptions{}))
}

// Get reads the entity under hostID. opts may hold Select and Expand only.
func (h HostEntity[T]) Get(ctx context.Context, c *Client, hostID string, opts QueryOptions) (*T, error) {
	if err := ValidateHostID(hostID); err != nil {
		return nil, err
	}
	if err := opts.validateGet(h.entity); err != nil {
		return nil, err
	}
	path, what := hostPath(hostID), "host "+hostID
	if h.Segment != "" {
		path += "/" + h.Segment
		what = "the " + h.entity.name + " of host " + hostID
	}
	return getOne[T](ctx, c, c.link(path, opts), what)
}

// Get reads the entity with the opaque id. opts may hold Select and Expand
// only.
func (e EntityByID[T]) Get(ctx context.Context, c *Client, id string, opts QueryOptions) (*T, error) {
	if id == "" {
		return nil, fmt.Errorf("a %s id must not be empty", e.entity.name)
	}
	if err := opts.validateGet(e.entity); err != nil {
		return nil, err
	}
	path := "/security/threatIntelligence/" + e.Collection + "/" + escapePathSegment(id)
	return getOne[T](ctx, c, c.link(path, opts), "the "+e.entity.name)
}
