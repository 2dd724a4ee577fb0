package graph

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// Defaults chosen for a data source read in every plan: enough retries to
// ride out a throttling burst, bounded so a plan never waits without end.
const (
	DefaultEndpoint         = "https://graph.microsoft.com"
	DefaultAPIVersion       = "v1.0"
	DefaultMaxRetries       = 4
	DefaultRetryDelay       = time.Second
	DefaultMaxRetryDelay    = 60 * time.Second
	DefaultMaxResponseBytes = 256 << 20
	DefaultMaxPages         = 1000
	DefaultThrottleTimeout  = 5 * time.Minute
	moduleName              = "terraform-provider-defender"
)

// APIVersions are the Graph versions the host-port API is published under;
// its types are identical in both.
var APIVersions = []string{"v1.0", "beta"}

// LogFunc receives one line per HTTP attempt. The provider routes it to
// tflog; fields never hold headers, so no token can reach a log.
type LogFunc func(ctx context.Context, msg string, fields map[string]any)

// RetryOptions bound how long a throttled or failing call is retried. An
// attempt fails on a retryable status, a network error, or a 200 whose body
// breaks off before it is complete; all of them share one budget.
type RetryOptions struct {
	// MaxRetries is the number of retries after the first attempt; a
	// negative value disables retries.
	MaxRetries int32
	// RetryDelay is the first back-off when Graph sends no Retry-After.
	RetryDelay time.Duration
	// MaxRetryDelay caps the back-off. A Retry-After longer than this ends the
	// retries with the throttling error instead of stalling the plan.
	MaxRetryDelay time.Duration
	// TryTimeout bounds each attempt, from sending the request to reading the
	// last byte of its body; zero means no limit. The time a request waits
	// for its turn (see requestGate) does not count.
	TryTimeout time.Duration
	// ThrottleTimeout is how long Graph may answer every request with 429
	// before the requests waiting for it fail with the throttling error;
	// zero means DefaultThrottleTimeout. A 429 spends no retry: the request
	// is sent again in its turn.
	ThrottleTimeout time.Duration
}

// Options configure a Client. Credential is required.
type Options struct {
	// Endpoint is the Graph root, such as https://graph.microsoft.com or a
	// gateway in front of it. It must be https, or http on a loopback address.
	Endpoint string
	// APIVersion is "v1.0" or "beta".
	APIVersion string
	Credential azcore.TokenCredential
	// Scope defaults to the endpoint's origin followed by /.default.
	Scope string
	Retry RetryOptions
	// Transport sends the requests; NewTransport's is used when nil. Redirects
	// are handled by the client whatever the transport.
	Transport http.RoundTripper
	// MaxResponseBytes bounds each response body.
	MaxResponseBytes int64
	// MaxPages bounds how many pages one listing may fetch.
	MaxPages int
	// MaxConcurrentRequests is the most Graph requests this client has in
	// flight at once, across all its calls; 0 means
	// DefaultMaxConcurrentRequests. A request is in flight from sending
	// until its response body is closed, and each retry is a request.
	MaxConcurrentRequests int
	// UserAgent names the caller, such as "terraform-provider-defender/1.2.3".
	UserAgent string
	Log       LogFunc
}

// Client calls the Graph Threat Intelligence host-port API. It is safe for
// concurrent use, and shares one token cache and one connection pool between
// all calls.
type Client struct {
	// sslCertificateExpandRefused remembers that Graph refused
	// $expand=sslCertificate, so later lists go straight to the fallback.
	sslCertificateExpandRefused atomic.Bool

	pipeline   runtime.Pipeline
	origin     *url.URL
	baseURL    string
	maxPages   int
	tryTimeout time.Duration
	attempts   int // the first attempt and every retry
	// gate holds back requests beyond maxConcurrent and during throttling;
	// maxConcurrent is also the size of a fleet read's worker pool.
	gate          *requestGate
	maxConcurrent int
}

// NewClient validates opts and builds the request pipeline. No request is
// sent until the first call.
func NewClient(opts Options) (*Client, error) {
	if opts.Credential == nil {
		return nil, errors.New("a credential is required")
	}
	endpoint, err := parseEndpoint(firstNonEmpty(opts.Endpoint, DefaultEndpoint))
	if err != nil {
		return nil, err
	}
	apiVersion := firstNonEmpty(opts.APIVersion, DefaultAPIVersion)
	if apiVersion != "v1.0" && apiVersion != "beta" {
		return nil, fmt.Errorf("API version %q is not one of %s", apiVersion, strings.Join(APIVersions, ", "))
	}
	origin := &url.URL{Scheme: endpoint.Scheme, Host: endpoint.Host}
	scope := firstNonEmpty(opts.Scope, scopeOf(origin))

	if opts.MaxConcurrentRequests < 0 {
		return nil, fmt.Errorf("the most concurrent requests must be at least 1, got %d", opts.MaxConcurrentRequests)
	}
	maxConcurrent := int(positiveOr(int64(opts.MaxConcurrentRequests), DefaultMaxConcurrentRequests))

	retry := opts.Retry
	if retry.MaxRetries == 0 {
		retry.MaxRetries = DefaultMaxRetries
	}
	if retry.RetryDelay == 0 {
		retry.RetryDelay = DefaultRetryDelay
	}
	if retry.MaxRetryDelay == 0 {
		retry.MaxRetryDelay = DefaultMaxRetryDelay
	}
	if retry.ThrottleTimeout <= 0 {
		retry.ThrottleTimeout = DefaultThrottleTimeout
	}

	transport := opts.Transport
	if transport == nil {
		transport = NewTransport(nil)
	}
	// The gate wraps the transport rather than being a policy so that it
	// counts exactly what goes on the wire (see requestGate).
	gate := newRequestGate(transport, gateOptions{
		maxInFlight: maxConcurrent, maxWait: retry.MaxRetryDelay, throttleTimeout: retry.ThrottleTimeout,
		tryTimeout: retry.TryTimeout, log: opts.Log,
	})
	httpClient := &http.Client{Transport: gate, CheckRedirect: sameOriginRedirects}

	maxResponseBytes := positiveOr(opts.MaxResponseBytes, DefaultMaxResponseBytes)
	clientOptions := &policy.ClientOptions{
		Transport: httpClient,
		Retry: policy.RetryOptions{
			MaxRetries:    retry.MaxRetries,
			RetryDelay:    retry.RetryDelay,
			MaxRetryDelay: retry.MaxRetryDelay,
			// The gate times each attempt from when it is sent, so that
			// waiting for its turn does not count.
			StatusCodes: retriedStatusCodes,
		},
		// azcore cuts an application id to 24 characters, too short for this
		// provider's name and version, so the User-Agent is set by a policy.
		Telemetry: policy.TelemetryOptions{Disabled: true},
	}
	pipeline := runtime.NewPipeline(moduleName, "", runtime.PipelineOptions{
		PerCall: []policy.Policy{
			&originGuardPolicy{origin: origin},
			&userAgentPolicy{userAgent: firstNonEmpty(opts.UserAgent, moduleName)},
		},
		PerRetry: []policy.Policy{
			runtime.NewBearerTokenPolicy(opts.Credential, []string{scope}, &policy.BearerTokenOptions{
				InsecureAllowCredentialWithHTTP: endpoint.Scheme == "http",
			}),
			retryAfterPolicy{},
			&logPolicy{log: opts.Log},
			// Innermost, so that a broken body fails its attempt and is
			// logged and retried like any other failed attempt.
			&decodeBodyPolicy{maxBytes: maxResponseBytes},
		},
	}, clientOptions)

	return &Client{
		pipeline:   pipeline,
		origin:     origin,
		baseURL:    strings.TrimSuffix(endpoint.String(), "/") + "/" + apiVersion,
		maxPages:   int(positiveOr(int64(opts.MaxPages), DefaultMaxPages)),
		tryTimeout: retry.TryTimeout,
		attempts:   max(1, int(retry.MaxRetries)+1),

		gate:          gate,
		maxConcurrent: maxConcurrent,
	}, nil
}

// retriedStatusCodes are the statuses Graph documents as transient.
var retriedStatusCodes = []int{
	http.StatusTooManyRequests,
	http.StatusInternalServerError,
	http.StatusBadGateway,
	http.StatusServiceUnavailable,
	http.StatusGatewayTimeout,
}

func positiveOr(v, fallback int64) int64 {
	if v > 0 {
		return v
	}
	return fallback
}

// ScopeFor is the token scope NewClient asks for by default for endpoint:
// its origin followed by /.default.
func ScopeFor(endpoint string) (string, error) {
	u, err := parseEndpoint(endpoint)
	if err != nil {
		return "", err
	}
	return scopeOf(&url.URL{Scheme: u.Scheme, Host: u.Host}), nil
}

func scopeOf(origin *url.URL) string { return origin.String() + "/.default" }

// ValidateEndpoint reports whether raw may be used as a Graph endpoint: an
// absolute https URL, or http on a loopback address for local emulators.
func ValidateEndpoint(raw string) error {
	_, err := parseEndpoint(raw)
	return err
}

func parseEndpoint(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			err = urlErr.Err // url.Error repeats the text, which may hold a password
		}
		return nil, fmt.Errorf("endpoint is not a URL: %w", err)
	}
	// Messages quote the URL without any password it carries.
	raw = u.Redacted()
	if u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("endpoint %q must be an absolute https URL such as %s", raw, DefaultEndpoint)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("endpoint %q uses http; only https is allowed except on a loopback address", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("endpoint %q must not carry credentials, a query or a fragment", raw)
	}
	return u, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// sameOrigin compares scheme and host:port, the boundary a bearer token must
// never cross.
func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(canonicalHost(a), canonicalHost(b))
}

func canonicalHost(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"https": "443", "http": "80"}[strings.ToLower(u.Scheme)]
	}
	return net.JoinHostPort(u.Hostname(), port)
}
