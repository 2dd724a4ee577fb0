package provider

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
)

// connectProxy is a minimal HTTPS (CONNECT) proxy on loopback that sends
// tunnels for fakegraph.ProxiedHost to the emulator and refuses the rest.
type connectProxy struct {
	listener net.Listener
	target   string
	tunnels  atomic.Int32
	wg       sync.WaitGroup
}

func startConnectProxy(t *testing.T, target string) *connectProxy {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &connectProxy{listener: listener, target: target}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(func() {
		listener.Close()
		p.wg.Wait()
	})
	return p
}

func (p *connectProxy) serve() {
	defer p.wg.Done()
	for {
		conn, err := p.listener.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.tunnel(conn)
		}()
	}
}

func (p *connectProxy) tunnel(client net.Conn) {
	defer client.Close()
	_ = client.SetDeadline(time.Now().Add(time.Minute))
	req, err := http.ReadRequest(bufio.NewReader(client))
	if err != nil {
		return
	}
	host, port, err := net.SplitHostPort(req.Host)
	if req.Method != http.MethodConnect || err != nil || host != fakegraph.ProxiedHost {
		_, _ = io.WriteString(client, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
		return
	}
	upstream, err := net.Dial("tcp", net.JoinHostPort(p.target, port))
	if err != nil {
		_, _ = io.WriteString(client, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
		return
	}
	defer upstream.Close()
	_ = upstream.SetDeadline(time.Now().Add(time.Minute))
	p.tunnels.Add(1)
	if _, err := io.WriteString(client, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		return
	}
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(upstream, client); done <- struct{}{} }()
	go func() { _, _ = io.Copy(client, upstream); done <- struct{}{} }()
	<-done
}

// TestCLIHonoursHTTPSProxy runs a real plan whose Entra ID and Graph
// endpoints are reachable only through the proxy in HTTPS_PROXY.
func TestCLIHonoursHTTPSProxy(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	run := newCLIRun(t, ctx, `
data "defender_ti_host_ports" "test" {
  host_id = "8.8.8.8"
}
output "open_ports" {
  value = data.defender_ti_host_ports.test.open_ports
}
`)
	proxy := startConnectProxy(t, "127.0.0.1")
	run.runner.Env = append(run.runner.Env,
		"HTTPS_PROXY=http://"+proxy.listener.Addr().String(),
		"NO_PROXY=",
		"ARM_GRAPH_ENDPOINT="+run.emulator.ProxiedURL(),
		"ARM_AUTHORITY_HOST="+run.emulator.ProxiedURL(),
	)
	result, err := run.runner.Run(ctx, "plan", "-input=false", "-no-color")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(result.Stdout, "443") {
		t.Errorf("the plan did not read the host:\n%s", result.Stdout)
	}
	if proxy.tunnels.Load() == 0 {
		t.Error("no request went through the proxy")
	}
	for _, r := range run.emulator.Requests() {
		if r.Origin == "graph" && !r.Bearer {
			t.Errorf("a Graph request through the proxy lacked its token: %+v", r)
		}
	}
}
