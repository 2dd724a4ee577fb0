package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

// requiredPermission and licenceNote are what a 401 or 403 from the TI API
// almost always comes down to.
const (
	requiredPermission = "ThreatIntelligence.Read.All"
	licenceNote        = "The tenant also needs a licence that includes Defender Threat Intelligence API access " +
		"(Defender TI with its API add-on, or a Defender XDR or Sentinel plan that includes it)."
)

// throttleRemedy and timeoutRemedy are what a user can do about a read that
// failed for throttling or for time. Graph's limit is per application, so
// other runs signing in as the same app registration spend it too; more
// retries would not help, since a 429 spends none.
const (
	throttleRemedy = "Graph's limit is shared by every run that signs in as this app registration: run fewer plans with it at once, " +
		"or raise the provider's throttle_timeout so that reads wait longer for their turn."
	timeoutRemedy = "Raise the provider's request_timeout if Graph is slow to answer, or lower max_concurrent_requests " +
		"if the network between here and Graph is the bottleneck."
)

// readTarget is what a read was reading, as its diagnostics name it.
type readTarget struct {
	// title names it in a summary, in Title Case: "Host Ports".
	title string
	// what names it in a sentence: `the ports of host "contoso.com"`.
	what string
}

func hostPortsTarget(hostID string) readTarget {
	return readTarget{title: "Host Ports", what: fmt.Sprintf("the ports of host %q", hostID)}
}

func fleetTarget(failed, hosts int) readTarget {
	return readTarget{title: "Host Ports", what: fmt.Sprintf("the ports of %d of %d hosts", failed, hosts)}
}

func hostPortTarget(hostPortID string) readTarget {
	return readTarget{title: "Host Port", what: fmt.Sprintf("hostPort %q", hostPortID)}
}

// notFoundDetail explains the warning for a host Defender TI does not know,
// which a data source reads as empty (lists) or null (single entities).
func notFoundDetail(hostID string, err error) string {
	return notFoundDetailOf(hostID, err, "an empty ports list", "ports")
}

func notFoundDetailOf(hostID string, err error, result, expected string) string {
	return fmt.Sprintf("Microsoft Graph has no Defender Threat Intelligence record of host %q (%s). "+
		"The data source returns %s instead of failing, so configurations iterating over many hosts keep working; "+
		"check the host id if you expected %s.", hostID, err, result, expected)
}

// addReadError reports err, a failed read of t.
func (t readTarget) addReadError(ctx context.Context, diags *diag.Diagnostics, err error) {
	diags.AddError(t.errorSummary(ctx, err), t.errorDetail(ctx, err))
}

func (t readTarget) errorSummary(ctx context.Context, err error) string {
	switch {
	case ctx.Err() != nil:
		return "Read Cancelled"
	case isSignInError(err):
		return "Unable To Sign In To Entra ID"
	case graph.IsUnauthorized(err):
		return "Access Denied By Microsoft Graph"
	case graph.IsThrottled(err):
		return "Throttled By Microsoft Graph"
	case graph.IsTimeout(err):
		return "Microsoft Graph Request Timed Out"
	default:
		return "Unable To Read " + t.title
	}
}

// errorDetail names what was read and, through graph.Error's text, the HTTP
// status, Graph error code and request-id that support will ask for.
func (t readTarget) errorDetail(ctx context.Context, err error) string {
	var graphErr *graph.Error
	isGraphErr := errors.As(err, &graphErr)
	switch {
	case ctx.Err() != nil:
		return fmt.Sprintf("Reading %s stopped because the operation was cancelled: %s.", t.what, err)
	case isSignInError(err):
		return fmt.Sprintf("The provider could not get a token to read %s. %s", t.what, signInDetail(err))
	case graph.IsUnauthorized(err):
		return fmt.Sprintf("Microsoft Graph refused to return %s: %s. "+
			"The identity the provider signs in with needs the Microsoft Graph application permission %s, with admin consent. %s",
			t.what, err, requiredPermission, licenceNote)
	case graph.IsThrottled(err):
		return fmt.Sprintf("Microsoft Graph kept throttling the requests for %s: %s. %s", t.what, err, throttleRemedy)
	case graph.IsTimeout(err):
		return fmt.Sprintf("Reading %s timed out: %s. %s", t.what, err, timeoutRemedy)
	case isGraphErr:
		return fmt.Sprintf("Microsoft Graph failed to return %s: %s.", t.what, graphErr)
	default:
		return fmt.Sprintf("Reading %s from Microsoft Graph failed: %s.", t.what, err)
	}
}

// isSignInError reports whether err came from getting a token rather than
// from Graph.
func isSignInError(err error) bool {
	var signIn *signInError
	var failed *azidentity.AuthenticationFailedError
	return errors.As(err, &signIn) || errors.As(err, &failed)
}

// signInDetail lists each method tried and why it failed, one line each.
func signInDetail(err error) string {
	text := err.Error()
	if i := strings.Index(text, "Attempted credentials:"); i >= 0 {
		var lines []string
		for _, line := range strings.Split(text[i+len("Attempted credentials:"):], "\n") {
			if trimmed := strings.TrimSpace(line); trimmed != "" && strings.HasPrefix(line, "\t") && !strings.HasPrefix(line, "\t\t") {
				lines = append(lines, "- "+trimmed)
			}
		}
		if len(lines) > 0 {
			return "Sign-in methods tried, in order:\n" + strings.Join(lines, "\n")
		}
	}
	var signIn *signInError
	if errors.As(err, &signIn) {
		return fmt.Sprintf("Sign-in method tried: %s.", signIn)
	}
	return fmt.Sprintf("Signing in failed: %s.", err)
}
