package graph

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph/fakegraphtest"
)

// A single read takes $select and $expand only; the listing options are
// refused locally instead of being sent for Graph to reject or ignore.
func TestGetRefusesListingOptions(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{})
	c := newClient(t, testOptions(t, s))
	id := referenceHostPort().ID
	for name, tc := range map[string]struct {
		opts QueryOptions
		want string
	}{
		"top":           {QueryOptions{Top: 1}, "top only apply to a listing"},
		"skip":          {QueryOptions{Skip: 2}, "skip only apply to a listing"},
		"count":         {QueryOptions{Count: true}, "count only apply to a listing"},
		"all three":     {QueryOptions{Top: 1, Skip: 1, Count: true}, "top, skip, count only apply to a listing; reading one hostPort takes select and expand alone"},
		"bad select":    {QueryOptions{Select: []string{"host/id"}}, `"host/id" is not a hostPort property`},
		"bad expand":    {QueryOptions{Expand: []string{"host"}}, `"host" cannot be expanded on a hostPort; only mostRecentSslCertificate can`},
		"expand casing": {QueryOptions{Expand: []string{"MostRecentSslCertificate"}}, "cannot be expanded"},
	} {
		if _, err := c.GetHostPort(context.Background(), id, tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error containing %q", name, err, tc.want)
		}
	}
	if n := len(s.Requests()); n != 0 {
		t.Errorf("%d requests; invalid options must be refused before any is sent", n)
	}
}

func TestListChecksExpandAgainstTheEntity(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{})
	c := newClient(t, testOptions(t, s))
	_, err := c.ListHostPorts(context.Background(), "8.8.8.8", QueryOptions{Expand: []string{"banners"}})
	if err == nil || !strings.Contains(err.Error(), `"banners" cannot be expanded on a hostPort`) {
		t.Errorf("%v, want the expand refused", err)
	}
	if n := len(s.Requests()); n != 0 {
		t.Errorf("%d requests, want none", n)
	}
}

// Each entity's names are its own: a name valid for one entity type is
// refused for another, and an entity without navigation properties refuses
// every $expand.
func TestOptionsAreCheckedAgainstEachEntitysNames(t *testing.T) {
	other := entityType{name: "host", properties: []string{"id", "firstSeenDateTime"}}
	for name, tc := range map[string]struct {
		opts QueryOptions
		want string
	}{
		"hostPort property on host": {QueryOptions{Select: []string{"port"}}, `"port" is not a host property; valid names are id, firstSeenDateTime`},
		"no expandable property":    {QueryOptions{Expand: []string{ExpandMostRecentSslCertificate}}, "a host has no property $expand accepts"},
	} {
		if err := tc.opts.validateList(other); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
	if err := (QueryOptions{Select: []string{"id"}, Top: 3}).validateList(other); err != nil {
		t.Errorf("a valid host selection: %v", err)
	}
}

// The paging loop is not tied to HostPort: any entity type decodes from the
// same pages, each fetched once, with the same top and count handling.
func TestPagingServesAnyEntityType(t *testing.T) {
	s := fakegraphtest.Start(t, fakegraph.Config{PageSize: 100})
	c := newClient(t, testOptions(t, s))
	type portOnly struct {
		ID   string `json:"id"`
		Port int    `json:"port"`
	}
	list, err := listAll[portOnly](context.Background(), c, c.link(hostPath(fakegraph.SamplePagingHost)+"/ports", QueryOptions{Count: true}), 0, "host "+fakegraph.SamplePagingHost)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(list.items))
	for i, item := range list.items {
		ids[i] = item.ID
	}
	if want := s.Data().PortIDs(fakegraph.SamplePagingHost); !reflect.DeepEqual(ids, want) {
		t.Errorf("got %d items, want the host's %d in order", len(ids), len(want))
	}
	if list.pages != 3 || list.count == nil || *list.count != 250 {
		t.Errorf("pages %d count %v, want 3 and 250", list.pages, list.count)
	}
	if n := len(graphRequests(s)); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}
