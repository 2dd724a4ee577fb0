package fakegraph

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// queryOptions are the OData system query options of one request, already
// validated.
type queryOptions struct {
	top       int
	hasTop    bool
	skip      int
	selected  map[string]bool // nil: every property
	selectRaw []string        // canonical names, in request order
	expand    map[string]bool // navigations to expand; nil: none
	orderBy   []orderKey
	count     bool
	offset    int // from $skiptoken; overrides $skip
	hasToken  bool
}

// orderKey is one $orderby item.
type orderKey struct {
	property string
	desc     bool
}

// Options accepted per route are in the route table (routes.go). Anything
// else starting with "$" is refused, because a client sending it expects
// behaviour the API does not document ($filter, $search, $orderby where it
// is not documented) and must not silently get unfiltered data.

// odataError is a 400 the handler turns into Graph's error envelope.
type odataError struct{ msg string }

func (e *odataError) Error() string { return e.msg }

func badRequest(format string, args ...any) *odataError {
	return &odataError{msg: fmt.Sprintf(format, args...)}
}

// parseOptions reads rawQuery by hand rather than through url.Values so that
// repeated options are detected and option names compare case-insensitively,
// as Graph does. Parameters without a "$" are custom options: ignored.
// Property names are c's.
func parseOptions(rawQuery string, c *collection, allowed map[string]bool) (queryOptions, *odataError) {
	var o queryOptions
	seen := map[string]bool{}
	for _, pair := range strings.Split(rawQuery, "&") {
		if pair == "" {
			continue
		}
		rawKey, rawVal, _ := strings.Cut(pair, "=")
		key, err1 := url.QueryUnescape(rawKey)
		val, err2 := url.QueryUnescape(rawVal)
		if err1 != nil || err2 != nil {
			return o, badRequest("Invalid escaping in query parameter '%s'.", rawKey)
		}
		name := strings.ToLower(key)
		if !strings.HasPrefix(name, "$") {
			continue
		}
		if !allowed[name] {
			return o, badRequest("Query option '%s' is not supported for this request.", key)
		}
		if seen[name] {
			return o, badRequest("Query option '%s' was specified more than once, but it must be specified at most once.", key)
		}
		seen[name] = true
		switch name {
		case "$top":
			n, err := nonNegative(key, val)
			if err != nil {
				return o, err
			}
			o.top, o.hasTop = n, true
		case "$skip":
			n, err := nonNegative(key, val)
			if err != nil {
				return o, err
			}
			o.skip = n
		case "$count":
			switch strings.ToLower(val) {
			case "true":
				o.count = true
			case "false":
			default:
				return o, badRequest("Invalid value '%s' for $count; expected 'true' or 'false'.", val)
			}
		case "$expand":
			o.expand = map[string]bool{}
			for _, item := range strings.Split(val, ",") {
				canon, ok := canonicalName(c.expandable, strings.TrimSpace(item))
				if !ok {
					return o, badRequest("Parsing OData Select and Expand failed: Could not find a property named '%s' on type 'microsoft.graph.security.%s' that can be expanded.", strings.TrimSpace(item), c.entityType)
				}
				o.expand[canon] = true
			}
		case "$select":
			o.selected = map[string]bool{}
			for _, item := range strings.Split(val, ",") {
				canon, ok := canonicalName(c.selectable, strings.TrimSpace(item))
				if !ok {
					return o, badRequest("Parsing OData Select and Expand failed: Could not find a property named '%s' on type 'microsoft.graph.security.%s'.", strings.TrimSpace(item), c.entityType)
				}
				if !o.selected[canon] {
					o.selected[canon] = true
					o.selectRaw = append(o.selectRaw, canon)
				}
			}
		case "$orderby":
			for _, item := range strings.Split(val, ",") {
				fields := strings.Fields(item)
				if len(fields) == 0 || len(fields) > 2 {
					return o, badRequest("Invalid $orderby item '%s'; expected a property name, optionally followed by 'asc' or 'desc'.", strings.TrimSpace(item))
				}
				canon, ok := canonicalName(c.orderable, fields[0])
				if !ok {
					return o, badRequest("Ordering by '%s' is not supported for this request; order by %s.", fields[0], strings.Join(c.orderable, " or "))
				}
				k := orderKey{property: canon}
				if len(fields) == 2 {
					switch strings.ToLower(fields[1]) {
					case "asc":
					case "desc":
						k.desc = true
					default:
						return o, badRequest("Invalid $orderby direction '%s'; expected 'asc' or 'desc'.", fields[1])
					}
				}
				o.orderBy = append(o.orderBy, k)
			}
		case "$skiptoken":
			off, ok := decodeSkipToken(val)
			if !ok {
				return o, badRequest("The $skiptoken '%s' is invalid or expired.", val)
			}
			o.offset, o.hasToken = off, true
		}
	}
	return o, nil
}

func nonNegative(key, val string) (int, *odataError) {
	n, err := strconv.Atoi(val)
	if err != nil || n < 0 {
		return 0, badRequest("Invalid value '%s' for query option '%s': expected a non-negative integer.", val, key)
	}
	return n, nil
}

// canonicalName maps a $select, $expand or $orderby item to the
// property's spelling. Paths (host/id) are refused: the API documents no
// nested select.
func canonicalName(names []string, name string) (string, bool) {
	for _, p := range names {
		if strings.EqualFold(p, name) {
			return p, true
		}
	}
	return "", false
}

// Skip tokens are opaque to clients; a prefix lets the server reject tokens
// it did not mint (say, a hand-edited nextLink).
const skipTokenPrefix = "fakegraph-offset:"

func encodeSkipToken(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(skipTokenPrefix + strconv.Itoa(offset)))
}

func decodeSkipToken(tok string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, false
	}
	rest, ok := strings.CutPrefix(string(b), skipTokenPrefix)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil && n >= 0
}

// withoutSkipToken drops any $skiptoken from a raw query, keeping every other
// option byte for byte, so nextLinks carry the client's options verbatim.
func withoutSkipToken(rawQuery string) string {
	var kept []string
	for _, pair := range strings.Split(rawQuery, "&") {
		if pair == "" {
			continue
		}
		rawKey, _, _ := strings.Cut(pair, "=")
		if key, err := url.QueryUnescape(rawKey); err == nil && strings.EqualFold(key, "$skiptoken") {
			continue
		}
		kept = append(kept, pair)
	}
	return strings.Join(kept, "&")
}
