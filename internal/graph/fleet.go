package graph

import (
	"context"
	"fmt"
	"sync"
)

// HostPortsResult is one host's answer in a fleet read.
type HostPortsResult struct {
	HostID string
	List   *HostPortList // nil when Err is set
	Err    error         // as ListHostPorts returns it (IsNotFound etc. work on it)
}

// ListPortsOfHosts lists the ports of every host with the same options, keeping up to the client's
// MaxConcurrentRequests requests in flight; each host's pages are still fetched in order, each exactly once.
// Results come back in the order of hostIDs. It returns when every host is done or ctx ends.
//
// A host's pages follow one another, so one worker per slot of the
// client's request gate keeps the gate full without a goroutine per host.
// The gate, not the pool, is what bounds requests: other calls of the same
// client share it, and its throttling window holds back every worker at
// once. A host not yet started when ctx ends gets ctx's error.
func (c *Client) ListPortsOfHosts(ctx context.Context, hostIDs []string, opts QueryOptions) []HostPortsResult {
	results := make([]HostPortsResult, len(hostIDs))
	for i, id := range hostIDs {
		results[i].HostID = id
	}
	// Options wrong for one host are wrong for all; say so without a request.
	if err := opts.validateList(hostPortEntity); err != nil {
		for i := range results {
			results[i].Err = err
		}
		return results
	}

	next := make(chan int)
	var workers sync.WaitGroup
	for range min(c.maxConcurrent, len(hostIDs)) {
		workers.Go(func() {
			for i := range next {
				results[i].List, results[i].Err = c.ListHostPorts(ctx, hostIDs[i], opts)
			}
		})
	}
	i := 0
feed:
	for ; i < len(hostIDs); i++ {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	workers.Wait()
	for ; i < len(hostIDs); i++ {
		results[i].Err = fmt.Errorf("reading host %s from Graph was cancelled before it started: %w", hostIDs[i], ctx.Err())
	}
	return results
}
