package graph

import (
	"context"
	"fmt"
	"sync"
)

// HostResult is one host's answer in a fleet read.
type HostResult[R any] struct {
	HostID string
	Value  R     // the zero value when Err is set
	Err    error // as the read returns it (IsNotFound etc. work on it)
}

// HostPortsResult is one host's answer in ListPortsOfHosts.
type HostPortsResult = HostResult[*HostPortList]

// ListPortsOfHosts lists the ports of every host with the same options; see
// ReadHosts.
func (c *Client) ListPortsOfHosts(ctx context.Context, hostIDs []string, opts QueryOptions) []HostPortsResult {
	// Options wrong for one host are wrong for all; say so without a request.
	if err := opts.validateList(hostPortEntity); err != nil {
		results := make([]HostPortsResult, len(hostIDs))
		for i, id := range hostIDs {
			results[i] = HostPortsResult{HostID: id, Err: err}
		}
		return results
	}
	return ReadHosts(ctx, c, hostIDs, func(ctx context.Context, hostID string) (*HostPortList, error) {
		return HostPorts.List(ctx, c, hostID, opts)
	})
}

// ReadHosts runs read for every host, keeping up to the client's
// MaxConcurrentRequests hosts in progress; what read does for one host
// (its pages, one after the other, or several collections) is up to it.
// Results come back in the order of hostIDs. It returns when every host is
// done or ctx ends.
//
// One worker per slot of the client's request gate keeps the gate full
// without a goroutine per host. The gate, not the pool, is what bounds
// requests: other calls of the same client share it, and its flow control
// holds back every worker at once. A host not yet started when ctx ends gets
// ctx's error.
func ReadHosts[R any](ctx context.Context, c *Client, hostIDs []string, read func(ctx context.Context, hostID string) (R, error)) []HostResult[R] {
	results := make([]HostResult[R], len(hostIDs))
	for i, id := range hostIDs {
		results[i].HostID = id
	}
	next := make(chan int)
	var workers sync.WaitGroup
	for range min(c.maxConcurrent, len(hostIDs)) {
		workers.Go(func() {
			for i := range next {
				results[i].Value, results[i].Err = read(ctx, hostIDs[i])
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
