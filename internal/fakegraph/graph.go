package fakegraph

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
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
	version string
	key     string // unescaped hostId or hostPort id
	bad     string // non-empty: why the path is not a supported resource
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
	s.answer(rec, r, OriginGraph, t.route, t.key, func(f *Fault) response { return s.graphResponse(r, t, f) })
}

// classifyGraphPath routes on the escaped path so that an escaped "/" in a
// hostPort id stays inside its segment. Segment names compare
// case-insensitively, as Graph's do.
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
	switch {
	case len(segs) == 6 && is(3, "hosts") && is(5, "ports"):
		if unescape(4) {
			t.route = RouteList
		}
	case len(segs) == 7 && is(3, "hosts") && is(5, "ports") && (segs[6] == "$count" || strings.EqualFold(segs[6], "%24count")):
		if unescape(4) {
			t.route = RouteCount
		}
	case len(segs) == 5 && is(3, "hostPorts"):
		if unescape(4) {
			t.route = RouteGet
		}
	case len(segs) == 4 && is(3, "hostPorts"):
		t.bad = "Listing every hostPort is not supported; list a host's ports with /security/threatIntelligence/hosts/{id}/ports."
	default:
		t.bad = "Resource not found for the segment '" + strings.Join(segs[3:], "/") + "'."
	}
	return t
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
		return s.listPorts(r, t, f)
	case RouteCount:
		return s.countPorts(r, t)
	default:
		return s.getPort(r, t)
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

func (s *Server) listPorts(r *http.Request, t graphTarget, f *Fault) response {
	o, oerr := parseOptions(r.URL.RawQuery, listOptions)
	if oerr != nil {
		return graphErrorResponse(r, http.StatusBadRequest, "BadRequest", oerr.msg, nil)
	}
	h := s.data.host(t.key)
	if h == nil {
		return hostNotFound(r, t.key)
	}
	start := o.skip
	if o.hasToken {
		start = o.offset
	}
	size := int(s.pageSize.Load())
	if o.hasTop {
		size = min(size, o.top)
	}
	total := len(h.ports)
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
	ctx := s.url + "/" + t.version + "/$metadata#security/threatIntelligence/hosts('" + strings.ReplaceAll(h.id, "'", "''") + "')/ports"
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
	for i, p := range h.ports[start:end] {
		if i > 0 {
			buf.WriteByte(',')
		}
		p.render(&buf, o.selected, o.expand)
	}
	buf.WriteByte(']')
	// nextLink goes after the items, where a streaming decoder meets it last.
	if next != "" {
		buf.WriteString(`,"@odata.nextLink":`)
		buf.Write(mustJSON(next))
	}
	buf.WriteByte('}')
	s.pagesServed.Add(1)
	return response{status: http.StatusOK, header: http.Header{"Content-Type": {"application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"}}, body: buf.Bytes()}
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
	if _, oerr := parseOptions(r.URL.RawQuery, countOptions); oerr != nil {
		return graphErrorResponse(r, http.StatusBadRequest, "BadRequest", oerr.msg, nil)
	}
	h := s.data.host(t.key)
	if h == nil {
		return hostNotFound(r, t.key)
	}
	return response{status: http.StatusOK, header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, body: []byte(strconv.Itoa(len(h.ports)))}
}

func (s *Server) getPort(r *http.Request, t graphTarget) response {
	o, oerr := parseOptions(r.URL.RawQuery, getOptions)
	if oerr != nil {
		return graphErrorResponse(r, http.StatusBadRequest, "BadRequest", oerr.msg, nil)
	}
	p, ok := s.data.ports[t.key]
	if !ok {
		return graphErrorResponse(r, http.StatusNotFound, "itemNotFound", "The hostPort '"+t.key+"' was not found.", nil)
	}
	var entity bytes.Buffer
	p.render(&entity, o.selected, o.expand)
	var buf bytes.Buffer
	buf.WriteString(`{"@odata.context":`)
	buf.Write(mustJSON(s.url + "/" + t.version + "/$metadata#security/threatIntelligence/hostPorts/$entity"))
	buf.WriteByte(',')
	buf.Write(entity.Bytes()[1:])
	return response{status: http.StatusOK, header: http.Header{"Content-Type": {"application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"}}, body: buf.Bytes()}
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
