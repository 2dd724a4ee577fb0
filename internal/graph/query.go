package graph

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// QueryOptions are the OData system query options of one call, for a
// listing and for a single read alike. Zero values leave an option out of
// the request. Each call checks them against its entity's own property
// names before anything is sent, and a single read refuses the options that
// only apply to a collection.
type QueryOptions struct {
	// Top is the number of items wanted in all; Graph also treats it as a
	// page size, so a listing stops paging as soon as it holds Top items.
	Top int
	// Skip is the number of items to skip from the start of the collection.
	Skip int
	// Select names the properties to return (HostPortProperties for a
	// hostPort). Graph refuses nested paths such as host/id, so they are
	// refused here first.
	Select []string
	// Expand names navigation properties to return in full instead of as a
	// stub holding only their id (ExpandMostRecentSslCertificate for a
	// hostPort).
	Expand []string
	// Count asks for @odata.count, the size of the whole collection.
	Count bool
}

// entityType is what the shared request code knows of one Graph entity
// type: its name for messages and the names $select and $expand accept.
type entityType struct {
	name       string
	properties []string
	expandable []string
}

// validateList checks options for listing a collection of e.
func (o QueryOptions) validateList(e entityType) error {
	if o.Top < 0 {
		return fmt.Errorf("top must not be negative, got %d", o.Top)
	}
	if o.Skip < 0 {
		return fmt.Errorf("skip must not be negative, got %d", o.Skip)
	}
	return o.validateNames(e)
}

// validateGet checks options for reading one e: Graph documents only
// $select and $expand there, and would reject or silently ignore the rest.
func (o QueryOptions) validateGet(e entityType) error {
	var refused []string
	if o.Top != 0 {
		refused = append(refused, "top")
	}
	if o.Skip != 0 {
		refused = append(refused, "skip")
	}
	if o.Count {
		refused = append(refused, "count")
	}
	if len(refused) > 0 {
		return fmt.Errorf("%s only apply to a listing; reading one %s takes select and expand alone", strings.Join(refused, ", "), e.name)
	}
	return o.validateNames(e)
}

func (o QueryOptions) validateNames(e entityType) error {
	for _, name := range o.Select {
		if !slices.Contains(e.properties, name) {
			return fmt.Errorf("%q is not a %s property; valid names are %s", name, e.name, strings.Join(e.properties, ", "))
		}
	}
	for _, name := range o.Expand {
		if !slices.Contains(e.expandable, name) {
			if len(e.expandable) == 0 {
				return fmt.Errorf("%q cannot be expanded: a %s has no property $expand accepts", name, e.name)
			}
			return fmt.Errorf("%q cannot be expanded on a %s; only %s can", name, e.name, strings.Join(e.expandable, ", "))
		}
	}
	return nil
}

// encode renders the options with literal "$" names, as Graph's
// documentation writes them. Values need no escaping: names are validated
// against the entity's lists and the rest are numbers.
func (o QueryOptions) encode() string {
	var parts []string
	if o.Top > 0 {
		parts = append(parts, "$top="+strconv.Itoa(o.Top))
	}
	if o.Skip > 0 {
		parts = append(parts, "$skip="+strconv.Itoa(o.Skip))
	}
	if len(o.Select) > 0 {
		parts = append(parts, "$select="+strings.Join(o.Select, ","))
	}
	if len(o.Expand) > 0 {
		parts = append(parts, "$expand="+strings.Join(o.Expand, ","))
	}
	if o.Count {
		parts = append(parts, "$count=true")
	}
	return strings.Join(parts, "&")
}
