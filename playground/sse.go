package playground

import (
	"net/http"
	"sync"
	"time"
)

// clientBuffer is how many events a page may fall behind before it is
// dropped. A dropped page's EventSource reconnects by itself and reloads
// /pg/state: nothing is lost but the page's patience.
const clientBuffer = 256

// heartbeat keeps idle streams open through proxies and shows a closed one.
const heartbeat = 15 * time.Second

// broker fans events out to the pages. Publishing never blocks: a page
// whose buffer is full is dropped instead, so that a stuck browser tab can
// never hold up the bot's Web API calls.
type broker struct {
	mu      sync.Mutex
	clients map[*sseClient]struct{}
	closed  bool
}

type sseClient struct {
	ch   chan []byte
	gone chan struct{} // closed when the broker drops the client
}

func newBroker() *broker { return &broker{clients: make(map[*sseClient]struct{})} }

// subscribe adds a page; false once the broker is closed.
func (b *broker) subscribe() (*sseClient, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, false
	}
	c := &sseClient{ch: make(chan []byte, clientBuffer), gone: make(chan struct{})}
	b.clients[c] = struct{}{}
	return c, true
}

// unsubscribe removes a page that went away.
func (b *broker) unsubscribe(c *sseClient) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.drop(c)
}

// drop must be called with mu held.
func (b *broker) drop(c *sseClient) {
	if _, ok := b.clients[c]; ok {
		delete(b.clients, c)
		close(c.gone)
	}
}

// publish queues data for every page, dropping those that cannot take it.
func (b *broker) publish(data []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for c := range b.clients {
		select {
		case c.ch <- data:
		default:
			b.drop(c)
		}
	}
}

// count is the number of pages listening.
func (b *broker) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.clients)
}

// close drops every page and refuses new ones.
func (b *broker) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for c := range b.clients {
		b.drop(c)
	}
}

// serveEvents is GET /pg/events: the live updates, as server-sent events
// whose data is one JSON object each.
func (p *Playground) serveEvents(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	c, ok := p.events.subscribe()
	if !ok {
		http.Error(w, "the playground is stopping", http.StatusServiceUnavailable)
		return
	}
	defer p.events.unsubscribe(c)
	// The server's write timeout is for ordinary requests; a stream lives
	// as long as its page.
	rc.SetWriteDeadline(time.Time{}) //nolint:errcheck // not every writer has deadlines
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write([]byte("retry: 1000\n\n")); err != nil {
		return
	}
	if rc.Flush() != nil {
		return
	}
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		var chunk []byte
		select {
		case <-r.Context().Done():
			return
		case <-c.gone:
			return
		case <-tick.C:
			chunk = []byte(": ping\n\n")
		case data := <-c.ch:
			chunk = make([]byte, 0, len(data)+8)
			chunk = append(chunk, "data: "...)
			chunk = append(chunk, data...)
			chunk = append(chunk, "\n\n"...)
		}
		if _, err := w.Write(chunk); err != nil {
			return
		}
		if rc.Flush() != nil {
			return
		}
	}
}
