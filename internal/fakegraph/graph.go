package fakegraph

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// graphIDs are the correlation ids of one Graph request. They go into both
// the response headers and the error body, as Graph does, so a client can
// be checked for quoting the right one.
type graphIDs struct{ request, client string }

type graphIDsKey struct{}

// graphTarget is a classified Graph path. Classification happens before
// authentication so faults can match requests a client sends without a token.
type graphTarget struct {
	route   Route
	coll    *collection // the route table's row; nil for routeOther
	byID    bool        // the single-item route /{coll.byID}/{id}
	version string
	key     string // unescaped hostId, or entity id on a byID route
	bad     string // non-empty: why the path is not a supported resource
}

// faultTarget is what faults match a request on.
func (t graphTarget) faultTarget() faultTarget {
	ft := faultTarget{route: t.route, key: t.key, exactKey: t.byID}
	if t.coll != nil {
		ft.collection = t.coll.name
	}
	return ft
}

func (s *Server) serveGraph(w http.ResponseWriter, r *http.Request) {
	leave := s.inFlight.enter()
	defer leave() // an answer never written, such as for a client that left
	s.graphRequests.Add(1)
	e := s.log.add(OriginGraph, r)
	rec := &statusRecorder{ResponseWriter: &leavingWriter{ResponseWriter: w, leave: leave}, log: &s.log, entry: e}

	ids := graphIDs{request: newGUID(), client: r.Header.Get("client-request-id")}
	if ids.client == "" {
		ids.client = newGUID()
	}
	rec.Header().Set("request-id", ids.request)
	rec.Header().Set("client-request-id", ids.client)
	r = r.WithContext(context.WithValue(r.Context(), graphIDsKey{}, ids))

	// The window and the rate limit are judged at arrival, as Graph
	// decides when a request comes in; the answer still takes the
	// configured latency. A request the window throttles is not judged by
	// the rate limit, so it takes no token.
	retryAfter, throttled := s.throttle.throttled(e.Time)
	if !throttled {
		retryAfter, throttled = s.rateLimitRetryAfter(e.Time)
		if throttled {
			s.rateLimited.Add(1)
			s.log.setRateLimited(e)
		}
	}
	if s.sleep(r.Context(), time.Duration(s.latency.Load())) != nil {
		return
	}
	if throttled {
		resp, _ := s.faultAnswer(r, OriginGraph, Fault{Kind: KindThrottle, RetryAfter: retryAfter})
		resp.write(rec)
		return
	}
	t := classifyGraphPath(r.URL.EscapedPath())
	s.answer(rec, r, OriginGraph, t.faultTarget(), func(f *Fault) response { return s.graphResponse(r, t, f) })
}

// classifyGraphPath routes on the escaped path so that an escaped "/" in an
// id stays inside its segment. Segment names compare case-insensitively, as
// Graph's do. Every route comes from the route table:
//
//	/hosts/{hostId}                    the host row (RouteGet)
//	/hosts/{hostId}/{name}             a row under the host: RouteList for a list, RouteGet otherwise
//	/hosts/{hostId}/ports/$count       RouteCount
//	/{byID}/{id}                       a row's single-item route (RouteGet)
//	/{topLevel}                        listing a whole collection: 400, as Graph documents
func classifyGraphPath(escaped string) graphTarget {
	segs := strings.Split(strings.TrimPrefix(escaped, "/"), "/")
	t := graphTarget{route: routeOther, version: segs[0]}
	is := func(i int, name string) bool { return len(segs) > i && strings.EqualFold(segs[i], name) }
	if !is(1, "security") || !is(2, "threatIntelligence") {
		t.bad = "Resource not found for the segment '" + strings.Join(segs[1:], "/") + "'."
		return t
	}
	unescape := func(i int) bool {
		k, err := url.PathUnescape(segs[i])
		if err != nil || k == "" {
			t.bad = "The segment '" + segs[i] + "' is not a valid key."
			return false
		}
		t.key = k
		return true
	}
	target := func(route Route, c *collection, byID bool, keyAt int) graphTarget {
		if unescape(keyAt) {
			t.route, t.coll, t.byID = route, c, byID
		}
		return t
	}
	switch {
	case len(segs) == 5 && is(3, "hosts"):
		return target(RouteGet, hostCollection, false, 4)
	case len(segs) == 6 && is(3, "hosts"):
		for _, c := range collections {
			if c.underHost && c != hostCollection && is(5, c.name) {
				if c.list {
					return target(RouteList, c, false, 4)
				}
				return target(RouteGet, c, false, 4)
			}
		}
	case len(segs) == 7 && is(3, "hosts") && (segs[6] == "$count" || strings.EqualFold(segs[6], "%24count")):
		for _, c := range collections {
			if c.count && is(5, c.name) {
				return target(RouteCount, c, false, 4)
			}
		}
	case len(segs) == 5:
		for _, c := range collections {
			if c.byID != "" && is(3, c.byID) {
				return target(RouteGet, c, true, 4)
			}
		}
	case len(segs) == 4:
		for _, c := range collections {
			if c.byID != "" && is(3, c.byID) || c.topLevel != "" && is(3, c.topLevel) {
				t.bad = listingNotSupported(c)
				return t
			}
		}
	}
	t.bad = "Resource not found for the segment '" + strings.Join(segs[3:], "/") + "'."
	return t
}

// listingNotSupported is the 400's message for listing a whole collection,
// which Graph documents as not supported: it names the route to use.
func listingNotSupported(c *collection) string {
	switch {
	case c == hostCollection:
		return "Listing every host is not supported; read one host with /security/threatIntelligence/hosts/{id}."
	case c.underHost:
		return "Listing every " + c.entityType + " is not supported; list a host's " + c.name + " with /security/threatIntelligence/hosts/{id}/" + c.name + "."
	default:
		return "Listing every " + c.entityType + " is not supported; read one by id with /security/threatIntelligence/" + c.byID + "/{id}."
	}
}

func (s *Server) graphResponse(r *http.Request, t graphTarget, f *Fault) response {
	if resp, ok := s.authenticate(r); !ok {
		return resp
	}
	if r.Method != http.MethodGet {
		return graphErrorResponse(r, http.StatusMethodNotAllowed, "Request_BadRequest", "The API is read-only: only GET is supported.", http.Header{"Allow": {"GET"}})
	}
	if t.bad != "" {
		return graphErrorResponse(r, http.StatusBadRequest, "BadRequest", t.bad, nil)
	}
	switch t.route {
	case RouteList:
		return s.list(r, t, f)
	case RouteCount:
		return s.countPorts(r, t)
	default:
		return s.getEntity(r, t)
	}
}

// authenticate requires a bearer token this emulator issued and that has not
// expired; the failure answers mirror Graph's (401, InvalidAuthenticationToken,
// a WWW-Authenticate challenge naming the authority).
func (s *Server) authenticate(r *http.Request) (response, bool) {
	h := http.Header{"WWW-Authenticate": {`Bearer realm="", authorization_uri="` + s.url + `/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`}}
	auth := r.Header.Get("Authorization")
	if len(auth) < 7 || !strings.EqualFold(auth[:7], "bearer ") || strings.TrimSpace(auth[7:]) == "" {
		return graphErrorResponse(r, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token is empty.", h), false
	}
	s.mu.Lock()
	tok, ok := s.tokens[strings.TrimSpace(auth[7:])]
	s.mu.Unlock()
	switch {
	case !ok:
		return graphErrorResponse(r, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience or unknown token.", h), false
	case !time.Now().Before(tok.expires):
		return graphErrorResponse(r, http.StatusUnauthorized, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.", h), false
	}
	return response{}, true
}

const jsonContentType = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"

// list serves one page of a host's list collection.
func (s *Server) list(r *http.Request, t graphTarget, f *Fault) response {
	o, oerr := parseOptions(r.URL.RawQuery, t.coll, t.coll.options)
	if oerr == nil {
		oerr = s.refuseExpand(t.coll, o)
	}
	if oerr != nil {
		return graphErrorResponse(r, http.StatusBadRequest, "BadRequest", oerr.msg, nil)
	}
	h := s.data.host(t.key)
	if h == nil {
		return hostNotFound(r, t.key)
	}
	items := h.lists[t.coll.name]
	if t.coll == portsCollection {
		items = h.ports
	}
	if len(o.orderBy) > 0 {
		items = sortedBy(items, o.orderBy)
	}
	start := o.skip
	if o.hasToken {
		start = o.offset
	}
	size := int(s.pageSize.Load())
	if o.hasTop {
		size = min(size, o.top)
	}
	total := len(items)
	start = min(start, total)
	end := min(start+size, total)

	next := ""
	if end < total && size > 0 {
		q := withoutSkipToken(r.URL.RawQuery)
		if q != "" {
			q += "&"
		}
		next = s.originOf(r) + r.URL.EscapedPath() + "?" + q + "$skiptoken=" + encodeSkipToken(end)
	}
	if f != nil {
		next = s.rewriteNextLink(r, f.Kind, next)
	}

	var buf bytes.Buffer
	buf.Grow(4096 * (end - start))
	ctx := s.url + "/" + t.version + "/$metadata#security/threatIntelligence/hosts('" + strings.ReplaceAll(h.id, "'", "''") + "')/" + t.coll.name
	if o.selected != nil {
		ctx += "(" + strings.Join(o.selectRaw, ",") + ")"
	}
	buf.WriteString(`{"@odata.context":`)
	buf.Write(mustJSON(ctx))
	if o.count && !o.hasToken {
		buf.WriteString(`,"@odata.count":`)
		buf.WriteString(strconv.Itoa(total))
	}
	buf.WriteString(`,"value":[`)
	for i, e := range items[start:end] {
		if i > 0 {
			buf.WriteByte(',')
		}
		e.render(&buf, o.selected, o.expand)
	}
	buf.WriteByte(']')
	// nextLink goes after the items, where a streaming decoder meets it last.
	if next != "" {
		buf.WriteString(`,"@odata.nextLink":`)
		buf.Write(mustJSON(next))
	}
	buf.WriteByte('}')
	s.pagesServed.Add(1)
	return response{status: http.StatusOK, header: http.Header{"Content-Type": {jsonContentType}}, body: buf.Bytes()}
}

// refuseExpand is the 400 of Config.RefuseSslCertificateExpand.
func (s *Server) refuseExpand(c *collection, o queryOptions) *odataError {
	if c == hostCertsCollection && o.expand[propSslCertificate] && s.refuseCertExpand.Load() {
		return badRequest("Parsing OData Select and Expand failed: Could not find a property named '%s' on type 'microsoft.graph.security.%s' that can be expanded.", propSslCertificate, c.entityType)
	}
	return nil
}

// sortedBy returns the items in $orderby order. Every orderable property
// is a timestamp: values compare as instants, whatever their fractional
// digits; null, absent and unparsable values come first in ascending order,
// as OData sorts nulls. The sort is stable, so paging an ordered list is
// consistent from page to page.
func sortedBy(items []*entity, keys []orderKey) []*entity {
	type row struct {
		e     *entity
		times []time.Time
	}
	rows := make([]row, len(items))
	for i, e := range items {
		rows[i] = row{e: e, times: make([]time.Time, len(keys))}
		for k, key := range keys {
			for _, pr := range e.props {
				var v string
				if pr.name == key.property && json.Unmarshal(pr.raw, &v) == nil {
					rows[i].times[k], _ = time.Parse(time.RFC3339Nano, v)
				}
			}
		}
	}
	sort.SliceStable(rows, func(a, b int) bool {
		for k, key := range keys {
			ta, tb := rows[a].times[k], rows[b].times[k]
			if ta.Equal(tb) {
				continue
			}
			if key.desc {
				return ta.After(tb)
			}
			return ta.Before(tb)
		}
		return false
	})
	out := make([]*entity, len(rows))
	for i, r := range rows {
		out[i] = r.e
	}
	return out
}

// rewriteNextLink implements the nextLink faults. They force a nextLink even
// on a last page, because the point is to see what the client does with it.
func (s *Server) rewriteNextLink(r *http.Request, kind FaultKind, next string) string {
	switch kind {
	case KindForeignNextLink, KindHTTPNextLink, KindLoopingNextLink:
	default:
		return next // a fault of another kind (latency, a slow body) leaves paging alone
	}
	origin := s.originOf(r)
	self := origin + r.URL.RequestURI()
	if next == "" {
		next = self
	}
	switch kind {
	case KindForeignNextLink:
		return s.foreignURL + strings.TrimPrefix(next, origin)
	case KindHTTPNextLink:
		return "http://" + strings.TrimPrefix(next, "https://")
	case KindLoopingNextLink:
		return self
	}
	return next
}

func (s *Server) countPorts(r *http.Request, t graphTarget) response {
	if _, oerr := parseOptions(r.URL.RawQuery, t.coll, countOptions); oerr != nil {
		return graphErrorResponse(r, http.StatusBadRequest, "BadRequest", oerr.msg, nil)
	}
	h := s.data.host(t.key)
	if h == nil {
		return hostNotFound(r, t.key)
	}
	return response{status: http.StatusOK, header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, body: []byte(strconv.Itoa(len(h.ports)))}
}

// getEntity serves one entity: the host, one a host has at most one of
// (reputation, whois), or one by id.
func (s *Server) getEntity(r *http.Request, t graphTarget) response {
	c := t.coll
	allowed := c.options
	if t.byID {
		allowed = c.byIDOptions
	}
	o, oerr := parseOptions(r.URL.RawQuery, c, allowed)
	if oerr == nil {
		oerr = s.refuseExpand(c, o)
	}
	if oerr != nil {
		return graphErrorResponse(r, http.StatusBadRequest, "BadRequest", oerr.msg, nil)
	}
	var e *entity
	var ctx string
	switch {
	case t.byID:
		if e = s.data.entityByID(c, t.key); e == nil {
			return graphErrorResponse(r, http.StatusNotFound, "itemNotFound", "The "+c.entityType+" '"+t.key+"' was not found.", nil)
		}
		ctx = c.byID + "/$entity"
	default:
		h := s.data.host(t.key)
		if h == nil {
			return hostNotFound(r, t.key)
		}
		if c == hostCollection {
			e, ctx = h.entity, "hosts/$entity"
			break
		}
		if e = h.singles[c.name]; e == nil {
			return graphErrorResponse(r, http.StatusNotFound, "itemNotFound", "The host '"+h.id+"' has no "+c.entityType+".", nil)
		}
		ctx = "hosts('" + strings.ReplaceAll(h.id, "'", "''") + "')/" + c.name + "/$entity"
	}
	var entity bytes.Buffer
	e.render(&entity, o.selected, o.expand)
	var buf bytes.Buffer
	buf.WriteString(`{"@odata.context":`)
	buf.Write(mustJSON(s.url + "/" + t.version + "/$metadata#security/threatIntelligence/" + ctx))
	buf.WriteByte(',')
	buf.Write(entity.Bytes()[1:])
	return response{status: http.StatusOK, header: http.Header{"Content-Type": {jsonContentType}}, body: buf.Bytes()}
}

func hostNotFound(r *http.Request, host string) response {
	return graphErrorResponse(r, http.StatusNotFound, "itemNotFound", "The host '"+host+"' was not found.", nil)
}

// graphErrorResponse builds Graph's error envelope. innerError.date has no
// time zone, exactly as Graph sends it.
func graphErrorResponse(r *http.Request, status int, code, msg string, h http.Header) response {
	ids, _ := r.Context().Value(graphIDsKey{}).(graphIDs)
	return jsonResponse(status, h, map[string]any{
		"error": map[string]any{
			"code":    code,
			"message": msg,
			"innerError": map[string]string{
				"date":              time.Now().UTC().Format("2006-01-02T15:04:05"),
				"request-id":        ids.request,
				"client-request-id": ids.client,
			},
		},
	})
}
